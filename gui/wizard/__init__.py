"""Teach: the guided wizard from labelled images to a saved model bundle.

One module per page (data, backbone, settings, train, evaluate, save); the
Teach tab (:mod:`.teach_tab`) opens the wizard. Everything the pages do is
core's (core.teach.dataset, core.teach.training, core.teach.evaluation, core.runtime.bundle); the
pages only show it and run it in workers.
"""
