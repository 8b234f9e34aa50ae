# The twin's shared-postgres: this machine's own PostgreSQL binaries (Debian's postgresql
# package) and the libraries they link, on the busybox base (no registry can be reached).
FROM runbook-twin-base
COPY root/ /
RUN mkdir -p /var/lib/postgresql /var/run/postgresql /tmp && chown 999:999 /var/lib/postgresql /var/run/postgresql && chmod 1777 /tmp
USER postgres
ENV PATH=/usr/lib/postgresql/current/bin:/bin
CMD ["/bin/sh", "-c", "[ -f /var/lib/postgresql/data/PG_VERSION ] || initdb -D /var/lib/postgresql/data -U postgres --auth=trust >/dev/null; exec postgres -D /var/lib/postgresql/data -c listen_addresses="]
