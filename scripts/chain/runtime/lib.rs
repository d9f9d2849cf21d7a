#![no_std]
extern crate revive_dev_runtime;
