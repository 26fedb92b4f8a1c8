#!/usr/bin/env bash
# A scheduled backup of the ledger's PostgreSQL event store (cron, a systemd timer, a Kubernetes CronJob):
# one new folder per run under BACKUP_DIR, checked after it is written, and the oldest beyond BACKUP_KEEP
# removed. Exits non-zero, removing nothing, when the backup or its check fails: alert on that.
#
#   DATABASE_URL=postgres://ledger@db/ledger BACKUP_DIR=/backups deploy/backup/backup.sh
#
# Copy BACKUP_DIR off the database's machine (object storage, another site): a backup beside the
# database it backs up is lost with it.
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database of the ledger}"
: "${BACKUP_DIR:?set BACKUP_DIR to the folder that keeps the backups}"
KEEP="${BACKUP_KEEP:-14}"
case "$KEEP" in ''|*[!0-9]*|0) echo "backup: BACKUP_KEEP must be a whole number from 1, got '$KEEP'" >&2; exit 2 ;; esac
NICEGOLD="${NICEGOLD:-$(cd "$(dirname "$0")/../.." && pwd)/bin/nicegold.mjs}"

mkdir -p "$BACKUP_DIR"
folder="$BACKUP_DIR/ledger-$(date -u +%Y%m%dT%H%M%SZ)"
node "$NICEGOLD" backup create --out "$folder" --database-url "$DATABASE_URL"
node "$NICEGOLD" backup verify --from "$folder"

# Oldest first by name (the names are UTC timestamps); never the one just made.
mapfile -t backups < <(find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name 'ledger-*' ! -name '*.partial-*' | sort)
excess=$(( ${#backups[@]} - KEEP ))
for (( i = 0; i < excess; i++ )); do
  [ "${backups[$i]}" = "$folder" ] && continue
  echo "backup: removing ${backups[$i]} (keeping the newest $KEEP)"
  rm -rf -- "${backups[$i]}"
done
