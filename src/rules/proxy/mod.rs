//! Web proxy: modules behind a proxy, and the ports of the IoT Edge proxy side-car (PRX…).

mod prx001_no_proxy;
mod prx002_upstream_protocol;
mod prx003_proxy_ports;

use crate::rules::Rule;

pub static RULES: &[&Rule] = &[&prx001_no_proxy::RULE, &prx002_upstream_protocol::RULE, &prx003_proxy_ports::RULE];
