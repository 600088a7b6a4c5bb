# The routing tier on the application nodes: on every app node, HAProxy and `redis-registrar route`
# (which fills HAProxy's server slots from etcd through HAProxy's Runtime API, writes to the master
# and reads to the local datacenter). Applications connect to 127.0.0.1:6380 for writes and
# 127.0.0.1:6381 for reads. Replaces the seed's ansible playbook 07-install-redis-haproxy.yml.
#
#   nomad job run -var etcd_endpoints=http://10.0.0.10:2379 nomad/haproxy.nomad.hcl
#
# A system job: one allocation on each node of the class app_node_class, placed on new nodes as
# they join. Stop order: haproxy (main) first, with SIGUSR1, HAProxy's soft stop, which lets open
# connections finish within kill_timeout; then the router (a sidecar).

variable "datacenters" {
  type    = list(string)
  default = ["dc1", "dc2", "dc3"]
}

variable "app_node_class" {
  description = "node_class of the application nodes (Nomad client config)."
  type        = string
  default     = "app"
}

variable "etcd_endpoints" {
  type    = string
  default = "http://127.0.0.1:2379"
}

variable "registrar_image" {
  description = "The registrar-only image (a JRE and the agent): see image/README.md."
  type        = string
  default     = "redis-registrar-sidecar:0.1.0"
}

variable "haproxy_image" {
  type    = string
  default = "haproxy:2.6"
}

locals {
  # The config printer's options: the router's own (task "router"), so that the configuration
  # HAProxy loads has the slots and the socket the router drives.
  route_options = "--haproxy-socket /alloc/haproxy.sock --write-bind 127.0.0.1:6380 --read-bind 127.0.0.1:6381 --master-name proposalsapp-redis"
}

job "redis-haproxy" {
  type        = "system"
  priority    = 80
  datacenters = var.datacenters

  constraint {
    attribute = "${node.class}"
    value     = var.app_node_class
  }

  update {
    max_parallel = 1
    stagger      = "30s"
  }

  group "haproxy" {
    network {
      mode = "host"
      port "write" {
        static = 6380
      }
      port "read" {
        static = 6381
      }
      port "router_http" {
        static = 8009
      }
    }

    # A system job's allocation restarts in place; it is not rescheduled elsewhere.
    restart {
      attempts = 10
      interval = "5m"
      delay    = "5s"
      mode     = "delay"
    }

    service {
      name = "redis-router"
      port = "router_http"
      check {
        type     = "http"
        path     = "/health"
        interval = "5s"
        timeout  = "2s"
      }
    }

    # Writes HAProxy's configuration (listeners, server slots, the stats socket) before HAProxy
    # starts; the router never reloads HAProxy, it drives the slots through the socket.
    task "haproxy-config" {
      lifecycle {
        hook    = "prestart"
        sidecar = false
      }
      driver = "docker"
      config {
        image        = var.registrar_image
        network_mode = "host"
        entrypoint   = ["/bin/sh", "-c"]
        args = [
          "exec java -jar /app/redis-registrar.jar route --print-haproxy-config --dc \"$NOMAD_DC\" ${local.route_options} > /alloc/data/haproxy.cfg",
        ]
      }
      env {
        REGISTRAR_ETCD = var.etcd_endpoints
      }
      resources {
        cpu    = 100
        memory = 96
      }
    }

    task "haproxy" {
      driver = "docker"
      config {
        image        = var.haproxy_image
        network_mode = "host"
        command      = "haproxy"
        args         = ["-f", "/alloc/data/haproxy.cfg", "-db"]
      }
      kill_signal  = "SIGUSR1"
      kill_timeout = "30s"
      resources {
        cpu    = 300
        memory = 128
      }
    }

    # Started once HAProxy runs (its socket exists), stopped after it.
    task "router" {
      lifecycle {
        hook    = "poststart"
        sidecar = true
      }
      driver = "docker"
      # --dc from NOMAD_DC, as for run; the same options as the config printer's (the tests check).
      config {
        image        = var.registrar_image
        network_mode = "host"
        args = [
          "route",
          "--http", "0.0.0.0:8009",
          "--haproxy-socket", "/alloc/haproxy.sock",
          "--write-bind", "127.0.0.1:6380",
          "--read-bind", "127.0.0.1:6381",
          "--master-name", "proposalsapp-redis",
        ]
      }
      env {
        REGISTRAR_ETCD = var.etcd_endpoints
      }
      kill_signal  = "SIGTERM"
      kill_timeout = "5s"
      resources {
        cpu    = 200
        memory = 128
      }
    }
  }
}
