#![no_std]
extern crate contracts_node_runtime;
