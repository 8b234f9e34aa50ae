# The twin's certbot: this machine's openssl on the busybox base, and a `certbot` that renews
# without Let's Encrypt (which cannot be reached from here).
FROM runbook-twin-base
COPY root/ /
COPY certbot /bin/certbot
RUN mkdir -p /tmp && chmod 1777 /tmp
ENTRYPOINT ["/bin/sh", "/bin/certbot"]
