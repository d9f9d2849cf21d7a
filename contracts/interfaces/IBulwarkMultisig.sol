// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title Bulwark multisig guard (ink! 6 on pallet-revive), Solidity ABI.
/// @notice The contract speaks both the ink! ABI and this one (abi = "all"); every function here is
/// the ink! message of the same name (snake_case, so e.g. keccak256("approve(uint64,bytes32)")).
/// Checked against the ABI JSON cargo-contract emits by check_abi.mjs.
/// `action` is a SCALE-encoded bulwark-core Action; accounts inside it (owners, vetoers, call targets)
/// are 32 bytes: an address right-aligned, as bytes32(uint256(uint160(a))). A call's value is in
/// native units; times are milliseconds. The call hash is Blake2-256 of the SCALE encoding of
/// (this contract's 20-byte address, nonce, action, predecessor): use hash_action.
interface IBulwarkMultisig {
    struct MaybeId {
        bool some;
        uint64 id;
    }

    /// An optional `bytes` (here a SCALE-encoded bulwark-core Proposal).
    struct MaybeBytes {
        bool some;
        bytes scale;
    }

    struct Timelocks {
        uint64 standardMs;
        uint64 criticalMs;
        uint64 membershipMs;
        uint64 policyMs;
    }

    struct MaybeTime {
        bool some;
        uint64 at;
    }

    struct RaisedAt {
        MaybeTime general;
        MaybeTime vetoSet;
    }

    // Errors: the ink! Error enum, one custom error per variant; `bytes` is the SCALE encoding of
    // bulwark-core's MultisigError.
    error Multisig(bytes);
    error UnknownProposal();
    error Uninitialized();
    error TargetNotContract();
    error BreakerQueryFailed();

    // Events (each also emitted in its ink! encoding). class: 0 Standard, 1 Critical, 2 Membership,
    // 3 Policy.
    event Proposed(
        uint64 indexed id,
        address indexed proposer,
        uint8 class,
        bytes action,
        MaybeId predecessor,
        bytes32 call_hash,
        uint64 eta,
        uint64 expires_at
    );
    event Approved(uint64 indexed id, address indexed owner);
    event Revoked(uint64 indexed id, address indexed owner);
    event Vetoed(uint64 indexed id, address indexed vetoer, bool cancelled);
    event CancelledOnVetoes(uint64 indexed id);
    event Executed(uint64 indexed id, bytes output);

    function propose(bytes calldata action, MaybeId calldata predecessor) external returns (uint64);
    function approve(uint64 id, bytes32 call_hash) external;
    function revoke(uint64 id) external;
    function veto(uint64 id) external returns (bool);
    function cancel_vetoed(uint64 id) external;
    function execute(uint64 id) external returns (bytes memory);

    function proposal(uint64 id) external view returns (MaybeBytes memory);
    function params() external view returns (bytes memory);
    function timelocks() external view returns (Timelocks memory);
    function nonce() external view returns (uint64);
    function veto_threshold() external view returns (uint32);
    function veto_set_threshold() external view returns (uint32);
    function veto_thresholds_raised_at() external view returns (RaisedAt memory);
    function hash_action(uint64 nonce, bytes calldata action, MaybeId calldata predecessor)
        external
        view
        returns (bytes32);
}
