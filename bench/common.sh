# Sourced by the whole-process benchmarks (whole_runs.sh, distributed.sh): builds the tool, finds
# the data, makes a scratch folder, and writes run configs.
#   sets: build, data, tool, work (removed on exit)
build=${TFGRAM_BUILD_DIR:-build}
data=${TFGRAM_DATA_DIR:-../shared/data}
data=$(cd "$data" && pwd)
bash scripts/setup.sh >/dev/null
bash scripts/build.sh >/dev/null
tool="$(cd "$build" && pwd)/tfgram"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A run config: NAME DATA_KIND N_POINTS BACKBONE EPOCHS [PATIENCE] (DMEL at 35 ms, Adam 1e-4, batch 32).
write_config() {
  cat >"$work/$1.yaml" <<YAML
model: {sample_rate: 8000, n_points: $3, frontend: {kind: dmel}, backbone: {kind: $4}}
window_ms: 35
data: {kind: $2, root: $data/$2}
train: {optimizer: adam, lr_model: 1.0e-4, batch_size: 32, max_epochs: $5, patience: ${6:-6}}
YAML
}
