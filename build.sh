#!/usr/bin/env bash
# Builds every project and puts the runnable programs au-publish, au-agent and au-server
# in artifacts/bin/.
set -euo pipefail
cd "$(dirname "$0")"
configuration=${CONFIGURATION:-Release}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build AtomicUpdate.sln -c "$configuration" -v quiet -nologo
for project in server/AtomicUpdate.Publisher device/AtomicUpdate.Agent server/AtomicUpdate.Server; do
  dotnet publish "$project" -c "$configuration" -o artifacts/bin -v quiet -nologo --no-restore
done
# What goes onto devices: the agent self-contained, trimmed and precompiled (see its .csproj).
dotnet publish device/AtomicUpdate.Agent -c "$configuration" -r "${AGENT_RUNTIME:-linux-x64}" -o artifacts/agent -v quiet -nologo
echo "built: $(ls artifacts/bin/au-* | grep -v '\.' | tr '\n' ' ')artifacts/agent/au-agent (for devices)"
