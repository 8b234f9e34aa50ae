# The twin's nginx-proxy: this machine's own nginx (Debian's nginx-light) and the libraries it
# links, on the busybox base (no registry can be reached).
FROM runbook-twin-base
COPY root/ /
RUN mkdir -p /var/lib/nginx /var/log/nginx /run /tmp /etc && echo root:x:0:0::/root:/bin/sh > /etc/passwd && echo root:x:0: > /etc/group
CMD ["nginx", "-g", "daemon off;"]
