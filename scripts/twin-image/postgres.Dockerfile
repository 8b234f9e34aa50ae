# The twin's shared-postgres: this machine's own PostgreSQL binaries (Debian's postgresql
# package) and the libraries they link, on the busybox base (no registry can be reached).
FROM runbook-twin-base
COPY root/ /
RUN mkdir -p /var/lib/postgresql /var/run/postgresql /tmp && chown 999:999 /var/lib/postgresql /var/run/postgresql && chmod 1777 /tmp
USER postgres
ENV PATH=/usr/lib/postgresql/current/bin:/bin
# Web reaches it over hule-network, as on hemma (trusted: the network is the twin's own).
CMD ["/bin/sh", "-c", "d=/var/lib/postgresql/data; [ -f $d/PG_VERSION ] || { initdb -D $d -U postgres --auth=trust >/dev/null && echo 'host all all 0.0.0.0/0 trust' >> $d/pg_hba.conf; }; exec postgres -D $d -c listen_addresses='*'"]
