// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title Bulwark circuit breaker (ink! 6 on pallet-revive), Solidity ABI.
/// @notice The contract speaks both the ink! ABI and this one (abi = "all"); every function here is
/// the ink! message of the same name. Names are the ink! messages' own (snake_case), so selectors are
/// keccak256 of e.g. "check_outflow(uint32,address,bytes4,uint128)". Checked against the ABI JSON
/// cargo-contract emits (`cargo contract build --metadata solidity`) by check_abi.mjs.
/// Units: token amounts and prices are the protected asset's base units and the oracle's price units;
/// bonds are the chain's native units (msg.value arrives in the 18-decimal Ethereum view and must be a
/// whole number of native units); times are milliseconds. `bytes` values hold the SCALE encoding of the
/// bulwark-core value named beside them (as the ink! ABI carries it).
interface IBulwarkBreaker {
    /// `check_outflow`'s answer. Allowed: (true, 0, 0, fromBuffer, countedValue). Rejected: (false,
    /// rejection, window, 0, 0); rejection: 0 GlobalPause, 1 AssetPaused, 2 SelectorPaused, 3 Halted,
    /// 4 ExceedsTrackedBalance, 5 NoPrice, 6 StalePrice, 7 PriceDeviation, 8 LimitExceeded (window =
    /// the window's index), 9 Overflow.
    struct Decision {
        bool allowed;
        uint8 rejection;
        uint8 window;
        uint128 fromBuffer;
        uint128 countedValue;
    }

    /// kind: 0 Anchored (deviationBps 0), 1 WithinBand, 2 Deviated (the breaker halted).
    struct PriceVerdict {
        uint8 kind;
        uint32 deviationBps;
    }

    /// kind: 0 Global (asset 0, selector 0), 1 Asset (selector 0), 2 Selector (asset 0). Any other
    /// combination is refused.
    struct PauseScope {
        uint8 kind;
        uint32 asset;
        bytes4 selector;
    }

    struct BondPolicy {
        uint128 minBond;
        uint64 settleWithinMs;
    }

    struct Roles {
        address admin;
        address oracle;
        address protected;
        address[] guardians;
        address insuranceFund;
        uint128 minBond;
        uint64 bondSettleWithinMs;
    }

    /// An optional `bytes` (here a SCALE-encoded bulwark-core BondedTrip).
    struct MaybeBytes {
        bool some;
        bytes scale;
    }

    struct MaybeTrip {
        bool some;
        uint64 id;
    }

    // Errors: the ink! Error enum, one custom error per variant. `bytes` is the SCALE encoding of
    // bulwark-core's BreakerError / BondError; Value's reason: 0 NotWholeNativeUnits, 1 TooLarge.
    error NotAdmin();
    error NotOracle();
    error NotProtected();
    error NotGuardian();
    error UnknownAsset();
    error AssetExists();
    error Breaker(bytes);
    error Bond(bytes);
    error UnknownTrip();
    error TransferFailed();
    error FundCallFailed();
    error AdminTimelockUnknown();
    error Value(uint8);

    // Events (each also emitted in its ink! encoding). level: 0 Normal, 1 Throttled, 2 Halted.
    event AssetRegistered(uint32 indexed asset, bytes units, uint128 initial_tvl, uint128 price);
    event OutflowChecked(uint32 indexed asset, address indexed account, uint128 amount, Decision decision, uint8 level);
    event InflowRecorded(uint32 indexed asset, address indexed account, uint128 amount, uint8 level);
    event PriceReported(uint32 indexed asset, uint128 price, PriceVerdict verdict);
    event PriceAnchored(uint32 indexed asset, uint128 price);
    event Paused(PauseScope scope, address indexed by);
    event Unpaused(PauseScope scope);
    event Tripped(address indexed by, uint128 bond, MaybeTrip trip);
    event TripSettled(uint64 indexed trip, address indexed by, uint128 bond, bool confirmed);
    event BondReleased(uint64 indexed trip, address indexed by, uint128 bond);
    /// A refund the poster refused (settle_trip confirmed, release_bond): the trip is closed and the
    /// bond is owed to the poster, for withdraw_refund.
    event RefundOwed(uint64 indexed trip, address indexed by, uint128 bond);
    event RefundWithdrawn(address indexed by, address indexed to, uint128 amount);
    event LevelReset();
    event ParamsUpdated(bytes params);
    event RolesUpdated(Roles roles);

    // The protected protocol.
    function check_outflow(uint32 asset, address account, bytes4 selector, uint128 amount)
        external
        returns (Decision memory);
    function record_inflow(uint32 asset, address account, uint128 amount) external;

    // The oracle.
    function report_price(uint32 asset, uint128 price) external returns (PriceVerdict memory);

    // Guardians (and the admin); anyone with a bond. A poster that refuses a refund is owed it and
    // withdraws it (all it is owed, in native units) to any address with withdraw_refund.
    function pause(PauseScope calldata scope) external;
    function trip() external;
    function trip_with_bond() external payable returns (uint64);
    function release_bond(uint64 id) external;
    function withdraw_refund(address to) external returns (uint128);

    // The admin (the multisig_guard). `units` and `params` are SCALE-encoded AssetUnits / BreakerParams.
    function register_asset(uint32 asset, bytes calldata units, uint128 initial_tvl, uint128 price) external;
    function unpause(PauseScope calldata scope) external;
    function settle_trip(uint64 id, bool confirmed) external;
    function reset() external;
    function anchor_price(uint32 asset, uint128 min_price, uint128 max_price) external;
    function set_params(bytes calldata params) external;
    function set_roles(Roles calldata roles) external;

    // Views.
    function level() external view returns (uint8);
    function blocks_exits() external view returns (bool);
    function available_outflow(uint32 asset, address account, bytes4 selector) external view returns (uint128);
    function account_flow(uint32 asset, address account) external view returns (bytes memory);
    function asset_flow(uint32 asset) external view returns (bytes memory);
    function params() external view returns (bytes memory);
    function pauses() external view returns (bytes memory);
    function roles() external view returns (Roles memory);
    function bond_policy() external view returns (BondPolicy memory);
    function pending_trip(uint64 id) external view returns (MaybeBytes memory);
    function owed_refund(address who) external view returns (uint128);
}
