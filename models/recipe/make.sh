#!/bin/sh
# Rebuilds the demo models and the inference test fixtures from scratch (see models/README.md).
# CPU only; about 25 minutes on 2 cores. Needs Node (npx tsx) and a Python with torch and onnx:
# PYTHON defaults to Debian's /usr/bin/python3 (apt install python3-torch python3-onnx).
set -eu
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-/usr/bin/python3}
STEPS=${STEPS:-150}
WORK=${WORK:-$(mktemp -d)}
echo "recipe: working in $WORK" >&2

npx tsx models/recipe/render-dataset.ts "$WORK/data" 640 48
"$PYTHON" models/recipe/train.py "$WORK/data" "$WORK/trained" "$STEPS"
mkdir -p models/demo
cp "$WORK"/trained/*.onnx models/demo/
cp "$WORK/trained/training.json" models/recipe/training.json

npx tsx models/recipe/render-fixtures.ts test/fixtures/infer
"$PYTHON" models/recipe/fixtures.py "$WORK/trained" models/demo test/fixtures/infer
echo "recipe: done; measure with: deepmask eval --models models/demo --demo-extent <held-out box from models/recipe/areas.json>" >&2
