#!/bin/sh
# Creates the host key once (persisted on a volume), the service account, and one chrooted
# account per line of /etc/sftp/providers.conf:  <provider_code> <ssh public key ...>
#
# Per provider (chrooted to /srv/sftp/<code>; the service account calaim to /srv/sftp):
#   <code>/                   root:root      0755  a chroot must be root-owned and unwritable
#   <code>/uploads            calaim:<code>  3770  sticky: the provider may rename or delete only
#                                                  its own files, never the plan's folders below
#   <code>/uploads/processed  calaim:<code>  2750  what the plan took: the provider reads only
#   <code>/uploads/failed     calaim:<code>  2750
#   <code>/downloads          calaim:<code>  2750  the plan publishes here; the provider reads only
# Group <code> holds only that provider and calaim. sshd_config refuses link and posix-rename
# requests, so nothing a provider leaves behind can point the service account elsewhere.
set -eu
[ -f /etc/ssh/keys/ssh_host_ed25519_key ] || ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/keys/ssh_host_ed25519_key
echo "host key: $(ssh-keygen -lf /etc/ssh/keys/ssh_host_ed25519_key.pub)"
mkdir -p /etc/ssh/authorized_keys
getent group providers >/dev/null || groupadd providers
getent group calaim >/dev/null || groupadd calaim
id calaim >/dev/null 2>&1 || useradd -M -d / -s /usr/sbin/nologin -g calaim calaim
# useradd leaves the password field '!' (locked), and with UsePAM no sshd refuses locked
# accounts even for key logins. '*' matches no password, so keys stay the only way in.
usermod -p '*' calaim
cp /etc/sftp/service.pub /etc/ssh/authorized_keys/calaim
chown root:root /srv/sftp && chmod 0755 /srv/sftp
if [ -f /etc/sftp/providers.conf ]; then
  grep -v '^\s*#' /etc/sftp/providers.conf | while read -r code key; do
    [ -n "$code" ] || continue
    # A code naming an existing system account or group (root, daemon, shadow, calaim...) would
    # hand that account the provider's key: only names this script created, or new ones, pass.
    # The plan's provider codes, as its providers extract makes them (2-40 capital letters,
    # digits, - or _): the plan polls the folder named by the code, so an account "acme" would
    # upload where nothing reads; and a name groupadd refuses would stop this script, and with
    # it every provider's sFTP. (The code is not echoed: the line may hold anything.)
    if ! printf '%s\n' "$code" | grep -Eqx '[A-Z0-9][A-Z0-9_-]{1,39}'; then
      echo "refusing provider line: a provider code is 2-40 capital letters, digits, - or _ (the plan's code, which names its folder)" >&2; continue
    fi
    if id "$code" >/dev/null 2>&1 && { [ "$(id -u "$code")" -lt 1000 ] || [ "$(id -gn "$code")" != providers ]; }; then
      echo "refusing provider $code: a system account of that name exists" >&2; continue
    fi
    if getent group "$code" >/dev/null && [ "$(getent group "$code" | cut -d: -f3)" -lt 1000 ]; then
      echo "refusing provider $code: a system group of that name exists" >&2; continue
    fi
    getent group "$code" >/dev/null || groupadd "$code"
    id "$code" >/dev/null 2>&1 || useradd -M -d / -s /usr/sbin/nologin -g providers "$code"
    usermod -p '*' -a -G "$code" "$code"
    usermod -a -G "$code" calaim
    d="/srv/sftp/$code"
    mkdir -p "$d/uploads/processed" "$d/uploads/failed" "$d/downloads"
    chown root:root "$d" && chmod 0755 "$d"
    # -h: a link left by an older layout is changed itself, never what it points to.
    chgrp -hR "$code" "$d/uploads" "$d/downloads"
    chown -h "calaim:$code" "$d/uploads" "$d/uploads/processed" "$d/uploads/failed" "$d/downloads"
    chmod 3770 "$d/uploads"
    chmod 2750 "$d/uploads/processed" "$d/uploads/failed" "$d/downloads"
    links=$(find "$d" -type l | wc -l)
    [ "$links" -eq 0 ] || echo "warning: $code has $links symbolic link(s) under its folder; the service account leaves them alone"
    echo "$key" > "/etc/ssh/authorized_keys/$code"
  done
fi
chmod 0644 /etc/ssh/authorized_keys/*
# SSHD_PORT only for running the image's files outside Docker (tests); production listens on 22.
exec /usr/sbin/sshd -D -e ${SSHD_PORT:+-p "$SSHD_PORT"}
