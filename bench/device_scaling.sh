#!/usr/bin/env bash
# The scaling table on a bigger machine with no network: install the carried
# wheels, unpack the carried source, run bench/scaling.py --cores N.
# Prepare here:  bench/device_scaling.sh --prepare DIR   (wheels + source into DIR)
# Run there:     bench/device_scaling.sh DIR OUTDIR [CORES]
set -euo pipefail
if [ "${1:-}" = "--prepare" ]; then
  dir=$2; mkdir -p "$dir"
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
    --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 --platform manylinux_2_5_x86_64 --platform manylinux1_x86_64 \
    -d "$dir" dask==2026.8.0 distributed==2026.8.0 pydantic==2.14.3 pydantic_core==2.50.4 \
    simpy==4.1.2 tornado==6.6.1 tblib==3.2.2 zict==3.0.0 partd==1.4.2 locket==1.0.0 \
    annotated-types==0.8.0 typing-inspection==0.4.5 typing_extensions==4.16.0 pandas==3.1.1 \
    numpy==2.4.6 cloudpickle==3.1.3 toolz==1.2.0 PyYAML==6.0.3
  git archive --format=tar.gz -o "$dir/source.tar.gz" HEAD
  exit 0
fi
dir=$1; out=$2; cores=${3:-$(nproc)}
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
  --target /tmp/site "$dir"/*.whl
mkdir -p /tmp/src && tar -xzf "$dir/source.tar.gz" -C /tmp/src
export PYTHONPATH=/tmp/site:/tmp/src PYTHONUNBUFFERED=1
cd /tmp/src
nproc
lscpu | tee "$out/lscpu.txt"   # threads per core, clocks: what the machine's ceiling row explains
python3 -c "import simulation, pandas, numpy, distributed; print(simulation.__file__, pandas.__version__, numpy.__version__)"
python3 bench/scaling.py --cores "$cores" --out "$out/scaling.json" 2>&1 | tee "$out/scaling.log"
