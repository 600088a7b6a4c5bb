# Redis in three datacenters, the sidecar form: in each datacenter one group with its Redis, its
# Sentinel and its registrar (`redis-registrar run`) in three containers. The entrypoint form
# (Redis as the registrar's child, one container) is redis-entrypoint.nomad.hcl; both publish the
# same records. docs/deploy.md explains every choice below and the Nomad documentation it rests on.
#
#   nomad job run -var initial_master=10.0.1.5 -var etcd_endpoints=http://10.0.0.10:2379 nomad/redis.nomad.hcl
#
# (scripts/deploy.sh does this, after writing the Consul KV defaults.)
#
# Stop order. At an allocation stop Nomad waits the group's shutdown_delay (none here), stops the
# leader task, then the other main tasks, then sidecars:
#   1. registrar (leader): SIGTERM -> deletes its record and the master key, revokes its lease,
#      exits within --shutdown-timeout (2s; kill_timeout 5s).
#   2. redis (main): its task shutdown_delay (2s) is the drain: the record is gone, the routing
#      tier has moved clients away, Redis still answers those that have not. Then SIGTERM: Redis
#      waits up to its shutdown-timeout (10s) for replicas to catch up and saves (kill_timeout 25s).
#   3. sentinel (prestart sidecar): last, so the Sentinel quorum stands while Redis stops.
# A plain sidecar registrar would instead be stopped after Redis, advertising a Redis that is
# already refusing connections.

variable "datacenters" {
  description = "The three datacenters; each group below is pinned to one of them."
  type        = list(string)
  default     = ["dc1", "dc2", "dc3"]
}

variable "initial_master" {
  description = "Address of the node whose Redis starts as master on the first deploy (Sentinel's first 'monitor' target); Sentinel follows the real master after that."
  type        = string
}

variable "etcd_endpoints" {
  description = "etcd endpoints the registrars publish to, comma-separated."
  type        = string
  default     = "http://127.0.0.1:2379"
}

variable "redis_image" {
  description = "Image for Redis and Sentinel (redis-server on the PATH, a 'redis' user)."
  type        = string
  default     = "redis:7.0"
}

variable "registrar_image" {
  description = "The registrar-only image (a JRE and the agent), built by Jib: see image/README.md."
  type        = string
  default     = "redis-registrar-sidecar:0.1.0"
}

variable "redis_uid" {
  description = "uid and gid of the 'redis' user in redis_image (999 in the official image): Sentinel must own its file."
  type        = number
  default     = 999
}

variable "redis_gid" {
  type    = number
  default = 999
}

variable "redis_image_by_dc" {
  description = "Per-datacenter override of redis_image, to roll one datacenter at a time (docs/deploy.md)."
  type        = map(string)
  default     = {}
}

variable "registrar_image_by_dc" {
  description = "Per-datacenter override of registrar_image, to roll one datacenter at a time."
  type        = map(string)
  default     = {}
}

locals {
  # Redis's configuration. Secrets and Consul KV values only ever reach files under secrets/.
  redis_conf = <<-EOT
    bind 0.0.0.0
    port 6379
    daemonize no
    dir /data
    requirepass {{ key "redis/password" }}
    masterauth {{ key "redis/password" }}
    maxmemory {{ keyOrDefault "redis/maxmemory" "2gb" }}
    maxmemory-policy {{ keyOrDefault "redis/maxmemory_policy" "allkeys-lru" }}
    replica-announce-ip {{ env "NOMAD_IP_redis" }}
    shutdown-timeout 10
    {{ if ne (env "NOMAD_IP_redis") (env "NOMAD_META_initial_master") }}replicaof {{ env "NOMAD_META_initial_master" }} 6379{{ end }}
    EOT

  # Applies the settings Redis can change live when Consul KV changes, instead of restarting all
  # three datacenters at once. A password change needs a roll (docs/deploy.md).
  redis_reload = <<-EOT
    #!/bin/sh
    export REDISCLI_AUTH="$(head -n 1 /secrets/redis-password)"
    redis-cli -p 6379 CONFIG SET maxmemory "$(sed -n 's/^maxmemory //p' /secrets/redis.conf)" &&
    redis-cli -p 6379 CONFIG SET maxmemory-policy "$(sed -n 's/^maxmemory-policy //p' /secrets/redis.conf)"
    EOT

  # Sentinel rewrites its file with what it learns, so it must own it (the template's uid, gid and
  # perms; Nomad writes templates as root, 0644, otherwise, and Sentinel refuses to start on a file
  # it cannot write). A re-render resets it to this, and it learns the current master again from
  # its peers' hello messages.
  sentinel_conf = <<-EOT
    bind 0.0.0.0
    port 26379
    daemonize no
    requirepass {{ key "redis/password" }}
    sentinel announce-ip {{ env "NOMAD_IP_sentinel" }}
    sentinel monitor proposalsapp-redis {{ env "NOMAD_META_initial_master" }} 6379 2
    sentinel auth-pass proposalsapp-redis {{ key "redis/password" }}
    sentinel down-after-milliseconds proposalsapp-redis 5000
    sentinel failover-timeout proposalsapp-redis 60000
    sentinel parallel-syncs proposalsapp-redis 1
    EOT

  password_file = <<-EOT
    {{ key "redis/password" }}
    EOT

  # The address clients reach this Redis at: the node's, since the network is the host's.
  registrar_env = <<-EOT
    REGISTRAR_ANNOUNCE={{ env "NOMAD_IP_redis" }}:6379
    EOT

  # --dc comes from NOMAD_DC, which Nomad sets in every task, --etcd from REGISTRAR_ETCD (the task's
  # env), the password from a file: never a secret in args.
  registrar_args = [
    "run",
    "--master-name", "proposalsapp-redis",
    "--redis", "127.0.0.1:6379",
    "--sentinels", "127.0.0.1:26379",
    "--http", "0.0.0.0:8008",
    "--redis-password-file", "/secrets/redis-password",
    "--sentinel-password-file", "/secrets/redis-password",
    "--shutdown-timeout", "2s",
  ]
}

job "redis" {
  type        = "service"
  priority    = 80
  datacenters = var.datacenters

  meta {
    initial_master = var.initial_master
  }

  # One allocation at a time within a group, healthy by its checks before the next. Nomad updates
  # the three groups of a job in parallel, so a change to everything restarts every datacenter:
  # roll with redis_image_by_dc / registrar_image_by_dc instead (docs/deploy.md).
  update {
    max_parallel      = 1
    health_check      = "checks"
    min_healthy_time  = "10s"
    healthy_deadline  = "5m"
    progress_deadline = "10m"
    auto_revert       = true
  }

  group "dc1" {
    count = 1

    # A hard constraint, not a spread: exactly this group in this datacenter.
    constraint {
      attribute = "${node.datacenter}"
      value     = "dc1"
    }

    # The host's network: the addresses Redis, Sentinel and the registrar see are the ones
    # clients reach. Static ports: every Sentinel and client expects 6379 and 26379.
    network {
      mode = "host"
      port "redis" {
        static = 6379
      }
      port "sentinel" {
        static = 26379
      }
      port "http" {
        static = 8008
      }
    }

    # Redis's data on the node (client config: host_volume "redis-data").
    volume "data" {
      type   = "host"
      source = "redis-data"
    }

    # A task that fails restarts in place twice (its data and its replication offset are here),
    # then the allocation fails and is rescheduled.
    restart {
      attempts = 2
      interval = "5m"
      delay    = "10s"
      mode     = "fail"
    }

    # Rescheduled only within the datacenter (the constraint); Sentinel has failed over long
    # before, so there is no hurry, but never give up on a datacenter's Redis.
    reschedule {
      delay          = "30s"
      delay_function = "exponential"
      max_delay      = "10m"
      unlimited      = true
    }

    service {
      name = "redis"
      port = "redis"
      tags = ["dc1"]
      check {
        type     = "http"
        port     = "http"
        path     = "/health"
        interval = "5s"
        timeout  = "2s"
      }
    }

    # Passing only on the master: Consul's healthy list for this name is where writes go. Its
    # failure on replicas must not fail deployments.
    service {
      name = "redis-master"
      port = "redis"
      tags = ["dc1"]
      check {
        type      = "http"
        port      = "http"
        path      = "/master"
        interval  = "2s"
        timeout   = "1s"
        on_update = "ignore"
      }
    }

    service {
      name = "redis-sentinel"
      port = "sentinel"
      tags = ["dc1"]
      check {
        type     = "tcp"
        interval = "10s"
        timeout  = "2s"
      }
    }

    # Started before, stopped after the main tasks.
    task "sentinel" {
      lifecycle {
        hook    = "prestart"
        sidecar = true
      }
      driver = "docker"
      user   = "redis"
      config {
        image        = lookup(var.redis_image_by_dc, "dc1", var.redis_image)
        network_mode = "host"
        command      = "redis-server"
        args         = ["/secrets/sentinel.conf", "--sentinel"]
      }
      template {
        data        = local.sentinel_conf
        destination = "secrets/sentinel.conf"
        change_mode = "restart"
        uid         = var.redis_uid
        gid         = var.redis_gid
        perms       = "600"
      }
      kill_signal  = "SIGTERM"
      kill_timeout = "5s"
      resources {
        cpu    = 100
        memory = 64
      }
    }

    # The leader: stopped first, so the record goes before Redis stops.
    task "registrar" {
      leader = true
      driver = "docker"
      config {
        image        = lookup(var.registrar_image_by_dc, "dc1", var.registrar_image)
        network_mode = "host"
        args         = local.registrar_args
      }
      env {
        REGISTRAR_ETCD = var.etcd_endpoints
      }
      template {
        data        = local.registrar_env
        destination = "local/registrar.env"
        env         = true
      }
      template {
        data        = local.password_file
        destination = "secrets/redis-password"
        change_mode = "restart"
      }
      kill_signal  = "SIGTERM"
      kill_timeout = "5s"
      resources {
        cpu    = 200
        memory = 128
      }
    }

    task "redis" {
      driver = "docker"
      user   = "redis"
      config {
        image        = lookup(var.redis_image_by_dc, "dc1", var.redis_image)
        network_mode = "host"
        command      = "redis-server"
        args         = ["/secrets/redis.conf"]
      }
      volume_mount {
        volume      = "data"
        destination = "/data"
      }
      template {
        data        = local.redis_conf
        destination = "secrets/redis.conf"
        change_mode = "script"
        change_script {
          command = "/bin/sh"
          args    = ["/local/reload.sh"]
        }
      }
      template {
        data        = local.redis_reload
        destination = "local/reload.sh"
        change_mode = "noop"
      }
      template {
        data        = local.password_file
        destination = "secrets/redis-password"
        change_mode = "noop"
      }
      # The drain: after the registrar (the leader) has removed the record, Redis keeps serving
      # the clients the routing tier has not moved yet.
      shutdown_delay = "2s"
      kill_signal    = "SIGTERM"
      kill_timeout   = "25s"
      resources {
        cpu    = 500
        memory = 2560
      }
    }
  }

  # As dc1 (see the comments there), in dc2. The tests check the three groups differ only in the name.
  group "dc2" {
    count = 1

    constraint {
      attribute = "${node.datacenter}"
      value     = "dc2"
    }

    network {
      mode = "host"
      port "redis" {
        static = 6379
      }
      port "sentinel" {
        static = 26379
      }
      port "http" {
        static = 8008
      }
    }

    volume "data" {
      type   = "host"
      source = "redis-data"
    }

    restart {
      attempts = 2
      interval = "5m"
      delay    = "10s"
      mode     = "fail"
    }

    reschedule {
      delay          = "30s"
      delay_function = "exponential"
      max_delay      = "10m"
      unlimited      = true
    }

    service {
      name = "redis"
      port = "redis"
      tags = ["dc2"]
      check {
        type     = "http"
        port     = "http"
        path     = "/health"
        interval = "5s"
        timeout  = "2s"
      }
    }

    service {
      name = "redis-master"
      port = "redis"
      tags = ["dc2"]
      check {
        type      = "http"
        port      = "http"
        path      = "/master"
        interval  = "2s"
        timeout   = "1s"
        on_update = "ignore"
      }
    }

    service {
      name = "redis-sentinel"
      port = "sentinel"
      tags = ["dc2"]
      check {
        type     = "tcp"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "sentinel" {
      lifecycle {
        hook    = "prestart"
        sidecar = true
      }
      driver = "docker"
      user   = "redis"
      config {
        image        = lookup(var.redis_image_by_dc, "dc2", var.redis_image)
        network_mode = "host"
        command      = "redis-server"
        args         = ["/secrets/sentinel.conf", "--sentinel"]
      }
      template {
        data        = local.sentinel_conf
        destination = "secrets/sentinel.conf"
        change_mode = "restart"
        uid         = var.redis_uid
        gid         = var.redis_gid
        perms       = "600"
      }
      kill_signal  = "SIGTERM"
      kill_timeout = "5s"
      resources {
        cpu    = 100
        memory = 64
      }
    }

    task "registrar" {
      leader = true
      driver = "docker"
      config {
        image        = lookup(var.registrar_image_by_dc, "dc2", var.registrar_image)
        network_mode = "host"
        args         = local.registrar_args
      }
      env {
        REGISTRAR_ETCD = var.etcd_endpoints
      }
      template {
        data        = local.registrar_env
        destination = "local/registrar.env"
        env         = true
      }
      template {
        data        = local.password_file
        destination = "secrets/redis-password"
        change_mode = "restart"
      }
      kill_signal  = "SIGTERM"
      kill_timeout = "5s"
      resources {
        cpu    = 200
        memory = 128
      }
    }

    task "redis" {
      driver = "docker"
      user   = "redis"
      config {
        image        = lookup(var.redis_image_by_dc, "dc2", var.redis_image)
        network_mode = "host"
        command      = "redis-server"
        args         = ["/secrets/redis.conf"]
      }
      volume_mount {
        volume      = "data"
        destination = "/data"
      }
      template {
        data        = local.redis_conf
        destination = "secrets/redis.conf"
        change_mode = "script"
        change_script {
          command = "/bin/sh"
          args    = ["/local/reload.sh"]
        }
      }
      template {
        data        = local.redis_reload
        destination = "local/reload.sh"
        change_mode = "noop"
      }
      template {
        data        = local.password_file
        destination = "secrets/redis-password"
        change_mode = "noop"
      }
      shutdown_delay = "2s"
      kill_signal    = "SIGTERM"
      kill_timeout   = "25s"
      resources {
        cpu    = 500
        memory = 2560
      }
    }
  }

  # As dc1, in dc3.
  group "dc3" {
    count = 1

    constraint {
      attribute = "${node.datacenter}"
      value     = "dc3"
    }

    network {
      mode = "host"
      port "redis" {
        static = 6379
      }
      port "sentinel" {
        static = 26379
      }
      port "http" {
        static = 8008
      }
    }

    volume "data" {
      type   = "host"
      source = "redis-data"
    }

    restart {
      attempts = 2
      interval = "5m"
      delay    = "10s"
      mode     = "fail"
    }

    reschedule {
      delay          = "30s"
      delay_function = "exponential"
      max_delay      = "10m"
      unlimited      = true
    }

    service {
      name = "redis"
      port = "redis"
      tags = ["dc3"]
      check {
        type     = "http"
        port     = "http"
        path     = "/health"
        interval = "5s"
        timeout  = "2s"
      }
    }

    service {
      name = "redis-master"
      port = "redis"
      tags = ["dc3"]
      check {
        type      = "http"
        port      = "http"
        path      = "/master"
        interval  = "2s"
        timeout   = "1s"
        on_update = "ignore"
      }
    }

    service {
      name = "redis-sentinel"
      port = "sentinel"
      tags = ["dc3"]
      check {
        type     = "tcp"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "sentinel" {
      lifecycle {
        hook    = "prestart"
        sidecar = true
      }
      driver = "docker"
      user   = "redis"
      config {
        image        = lookup(var.redis_image_by_dc, "dc3", var.redis_image)
        network_mode = "host"
        command      = "redis-server"
        args         = ["/secrets/sentinel.conf", "--sentinel"]
      }
      template {
        data        = local.sentinel_conf
        destination = "secrets/sentinel.conf"
        change_mode = "restart"
        uid         = var.redis_uid
        gid         = var.redis_gid
        perms       = "600"
      }
      kill_signal  = "SIGTERM"
      kill_timeout = "5s"
      resources {
        cpu    = 100
        memory = 64
      }
    }

    task "registrar" {
      leader = true
      driver = "docker"
      config {
        image        = lookup(var.registrar_image_by_dc, "dc3", var.registrar_image)
        network_mode = "host"
        args         = local.registrar_args
      }
      env {
        REGISTRAR_ETCD = var.etcd_endpoints
      }
      template {
        data        = local.registrar_env
        destination = "local/registrar.env"
        env         = true
      }
      template {
        data        = local.password_file
        destination = "secrets/redis-password"
        change_mode = "restart"
      }
      kill_signal  = "SIGTERM"
      kill_timeout = "5s"
      resources {
        cpu    = 200
        memory = 128
      }
    }

    task "redis" {
      driver = "docker"
      user   = "redis"
      config {
        image        = lookup(var.redis_image_by_dc, "dc3", var.redis_image)
        network_mode = "host"
        command      = "redis-server"
        args         = ["/secrets/redis.conf"]
      }
      volume_mount {
        volume      = "data"
        destination = "/data"
      }
      template {
        data        = local.redis_conf
        destination = "secrets/redis.conf"
        change_mode = "script"
        change_script {
          command = "/bin/sh"
          args    = ["/local/reload.sh"]
        }
      }
      template {
        data        = local.redis_reload
        destination = "local/reload.sh"
        change_mode = "noop"
      }
      template {
        data        = local.password_file
        destination = "secrets/redis-password"
        change_mode = "noop"
      }
      shutdown_delay = "2s"
      kill_signal    = "SIGTERM"
      kill_timeout   = "25s"
      resources {
        cpu    = 500
        memory = 2560
      }
    }
  }
}
