#!/bin/sh
# Rebuilds the land-cover demo models (background / building / road / tree, models/demo-landcover) from
# scratch (see models/README.md). CPU only; about 10 minutes on 2 free cores (the two nets train in
# parallel, one thread each). Same needs as make.sh. Leaves models/demo and the test fixtures alone.
set -eu
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-/usr/bin/python3}
STEPS=${STEPS:-240}
WORK=${WORK:-$(mktemp -d)}
echo "recipe (land cover): working in $WORK" >&2

npx tsx models/recipe/render-dataset.ts "$WORK/data" 640 64 --classes landcover
for name in linknet-rgbd-landcover unet-rgbd-landcover; do
  "$PYTHON" models/recipe/train_landcover.py "$WORK/data" "$WORK/trained" "$STEPS" 1 "$name" &
done
wait
test -f "$WORK/trained/training-landcover.json"
mkdir -p models/demo-landcover
cp "$WORK"/trained/*.onnx models/demo-landcover/
cp "$WORK/trained/training-landcover.json" models/recipe/training-landcover.json
echo "recipe (land cover): done; measure with: deepmask run --preset demo-landcover --extent <held-out box> --out DIR --yes; npx tsx models/recipe/score-landcover.ts DIR" >&2
