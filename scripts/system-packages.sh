#!/usr/bin/env bash
# Debian packages the app and its tests need: Qt's xcb plugin, a virtual
# screen for screenshots, and Fashion-MNIST for the training tests (and for
# scripts/make_lesson_fashion.py, which writes resources/lessons/fashion.npz).
set -euo pipefail
PKGS="xvfb xauth imagemagick libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0
  libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-randr0
  libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libgl1 libegl1
  libpulse0 dataset-fashion-mnist"
missing=$(for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
[ -z "$missing" ] && exit 0
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
