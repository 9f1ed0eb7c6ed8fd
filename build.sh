#!/usr/bin/env bash
# Atelier's one entry point.
#   ./build.sh run    set up (when needed), build and start a silo with embedded defaults on http://127.0.0.1:8080
#   ./build.sh test   set up (when needed), build and run the whole test suite; prints "N passed, N failed, N skipped"
# Also: ./build.sh setup (setup only), ./build.sh bench [name] (benchmarks, see README).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export ATELIER_HOME="${ATELIER_HOME:-$PWD/.atelier}"

setup() {
  dotnet build src/Setup -c Release -v quiet -nologo -clp:ErrorsOnly >/dev/null || dotnet build src/Setup -c Release -nologo -clp:ErrorsOnly
  dotnet src/Setup/bin/Release/net10.0/Atelier.Setup.dll --cache "$ATELIER_HOME"
}

# Sums the <Counters> of every TRX file the test run wrote into one summary line.
summarize() {
  local dir=$1
  local files=("$dir"/*.trx)
  [ -e "${files[0]}" ] || { echo "0 passed, 0 failed, 0 skipped"; return; }
  # Skipped tests are not in the counters the VSTest TRX logger writes: count their results instead.
  local skipped
  skipped=$({ grep -ho 'outcome="NotExecuted"' "${files[@]}" || true; } | wc -l)
  grep -ho '<Counters [^>]*>' "${files[@]}" | awk -v skipped="$skipped" '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); gsub(/[^0-9]/, "", kv[2]); c[kv[1]] += kv[2] } }
    END { printf "%d passed, %d failed, %d skipped\n", c["passed"], c["failed"] + c["error"] + c["timeout"] + c["aborted"], skipped }'
}

case "${1:-}" in
  setup)
    setup
    ;;
  run)
    setup
    shift
    exec dotnet run --project src/Silo -c Release -- "$@"
    ;;
  test)
    setup
    results="$PWD/TestResults"
    rm -rf "$results"
    status=0
    dotnet build Orleans.sln -c Release -nologo -clp:ErrorsOnly || exit 1
    # One test assembly at a time, each writing its own TRX file (named after the project, so none overwrites another).
    for project in tests/*/*.Tests.csproj; do
      name=$(basename "$project" .csproj)
      dotnet test "$project" -c Release --no-build --nologo --results-directory "$results" \
        --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" "${@:2}" || status=1
    done
    summarize "$results"
    exit $status
    ;;
  bench)
    setup
    shift
    exec dotnet run --project bench/Bench -c Release -- "$@"
    ;;
  *)
    sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
