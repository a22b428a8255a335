"""Teach: the guided wizard from labelled images to a saved model bundle.

One module per page (data, backbone, settings, train, evaluate, save); the
Teach tab (:mod:`.teach_tab`) opens the wizard. Everything the pages do is
core's (core.dataset, core.training, core.evaluation, core.bundle); the
pages only show it and run it in workers.
"""
