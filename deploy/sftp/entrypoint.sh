#!/bin/sh
# Creates the host key once (persisted on a volume), the service account, and one chrooted
# account per line of /etc/sftp/providers.conf:  <provider_code> <ssh public key ...>
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
    id "$code" >/dev/null 2>&1 || useradd -M -d / -s /usr/sbin/nologin -g providers "$code"
    usermod -p '*' "$code"
    mkdir -p "/srv/sftp/$code/uploads/processed" "/srv/sftp/$code/uploads/failed" "/srv/sftp/$code/downloads"
    chown root:root "/srv/sftp/$code" && chmod 0755 "/srv/sftp/$code"
    chown -R "$code:calaim" "/srv/sftp/$code/uploads" "/srv/sftp/$code/downloads"
    chmod 2770 "/srv/sftp/$code/uploads" "/srv/sftp/$code/downloads"
    echo "$key" > "/etc/ssh/authorized_keys/$code"
  done
fi
chmod 0644 /etc/ssh/authorized_keys/*
# SSHD_PORT only for running the image's files outside Docker (tests); production listens on 22.
exec /usr/sbin/sshd -D -e ${SSHD_PORT:+-p "$SSHD_PORT"}
