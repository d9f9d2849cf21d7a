//! The sandbox the e2e scenarios run in: ink_sandbox's `DefaultSandbox` (the
//! real pallet-contracts runtime, in process) behind two additions the
//! ink_e2e 5 sandbox client lacks:
//!
//! - a clock: every execution runs at the time the test last set, so
//!   cooldowns, windows and buffers can be crossed, and native replays of
//!   bulwark-core can use the very same timestamps;
//! - an event log: the `ContractEmitted` events of every submitted (not
//!   dry-run) call, with their topics, so scenarios can assert events.
//!
//! Both are thread-local: each `#[ink_e2e::test]` runs on its own thread.

use ink_sandbox::frame_system::pallet_prelude::BlockNumberFor;
use ink_sandbox::{frame_system, pallet_contracts, pallet_timestamp, AccountIdFor, DefaultSandbox, Sandbox, Snapshot};
use std::cell::{Cell, RefCell};

pub type Runtime = <DefaultSandbox as Sandbox>::Runtime;

/// One event a contract emitted.
#[derive(Clone, Debug)]
pub struct Emitted {
    pub contract: [u8; 32],
    pub topics: Vec<[u8; 32]>,
    pub data: Vec<u8>,
}

thread_local! {
    static CLOCK: Cell<u64> = const { Cell::new(0) };
    static LOG: RefCell<Vec<Emitted>> = const { RefCell::new(Vec::new()) };
}

/// Sets the block timestamp (ms) for every following call.
pub fn set_time(ms: u64) {
    CLOCK.with(|c| c.set(ms));
}

/// The events emitted since the last call, oldest first.
pub fn take_events() -> Vec<Emitted> {
    LOG.with(|l| std::mem::take(&mut *l.borrow_mut()))
}

#[derive(Default)]
pub struct RecordingSandbox {
    inner: DefaultSandbox,
    dry: bool,
}

impl Sandbox for RecordingSandbox {
    type Runtime = Runtime;

    fn execute_with<T>(&mut self, execute: impl FnOnce() -> T) -> T {
        let now = CLOCK.with(Cell::get);
        let record = !self.dry;
        self.inner.execute_with(|| {
            if now > 0 {
                pallet_timestamp::Now::<Runtime>::put(now);
            }
            frame_system::Pallet::<Runtime>::reset_events();
            let out = execute();
            if record {
                for rec in frame_system::Pallet::<Runtime>::events() {
                    if let ink_sandbox::macros::RuntimeEvent::Contracts(pallet_contracts::Event::ContractEmitted {
                        contract,
                        data,
                    }) = rec.event
                    {
                        let contract: [u8; 32] = *contract.as_ref();
                        let topics = rec.topics.iter().map(|t| t.0).collect();
                        LOG.with(|l| l.borrow_mut().push(Emitted { contract, topics, data }));
                    }
                }
            }
            out
        })
    }

    fn dry_run<T>(&mut self, action: impl FnOnce(&mut Self) -> T) -> T {
        let snapshot = self.inner.take_snapshot();
        let was = std::mem::replace(&mut self.dry, true);
        let out = action(self);
        self.dry = was;
        self.inner.restore_snapshot(snapshot);
        out
    }

    fn register_extension<E: core::any::Any + ink_sandbox::Extension>(&mut self, ext: E) {
        self.inner.register_extension(ext)
    }

    fn initialize_block(height: BlockNumberFor<Runtime>, parent_hash: <Runtime as frame_system::Config>::Hash) {
        DefaultSandbox::initialize_block(height, parent_hash)
    }

    fn finalize_block(height: BlockNumberFor<Runtime>) -> <Runtime as frame_system::Config>::Hash {
        DefaultSandbox::finalize_block(height)
    }

    fn default_actor() -> AccountIdFor<Runtime> {
        DefaultSandbox::default_actor()
    }

    fn get_metadata() -> ink_sandbox::RuntimeMetadataPrefixed {
        DefaultSandbox::get_metadata()
    }

    fn convert_account_to_origin(
        account: AccountIdFor<Runtime>,
    ) -> <<Runtime as frame_system::Config>::RuntimeCall as ink_sandbox::frame_support::sp_runtime::traits::Dispatchable>::RuntimeOrigin
    {
        DefaultSandbox::convert_account_to_origin(account)
    }

    fn take_snapshot(&mut self) -> Snapshot {
        self.inner.take_snapshot()
    }

    fn restore_snapshot(&mut self, snapshot: Snapshot) {
        self.inner.restore_snapshot(snapshot)
    }
}
