// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title Bulwark insurance fund (ink! 6 on pallet-revive), Solidity ABI.
/// @notice The contract speaks both the ink! ABI and this one (abi = "all"); every function here is
/// the ink! message of the same name (snake_case, so e.g. keccak256("file_claim(uint128,address)")).
/// Checked against the ABI JSON cargo-contract emits by check_abi.mjs.
/// Units: every amount (deposits, premiums, assets, cover, claims, payouts) is the chain's native
/// units; msg.value arrives in the 18-decimal Ethereum view and must be a whole number of native
/// units. Shares are the pool's own units; times are milliseconds. `bytes` values hold the SCALE
/// encoding of the bulwark-core value named beside them (as the ink! ABI carries it).
interface IBulwarkFund {
    struct ExitRequest {
        uint128 shares;
        uint128 valueAtRequest;
        uint64 unlockAt;
        uint64 expiresAt;
    }

    struct Payout {
        uint128 paid;
        uint128 withheld;
    }

    struct MaybeExit {
        bool some;
        ExitRequest exit;
    }

    /// An optional `bytes` (here a SCALE-encoded bulwark-core Claim).
    struct MaybeBytes {
        bool some;
        bytes scale;
    }

    struct MaybeAddress {
        bool some;
        address addr;
    }

    struct Roles {
        address admin;
        MaybeAddress breaker;
        MaybeAddress reinsurer;
        address[] covered;
    }

    // Errors: the ink! Error enum, one custom error per variant. `bytes` is the SCALE encoding of
    // bulwark-core's FundError; Value's reason: 0 NotWholeNativeUnits, 1 TooLarge.
    error NotAdmin();
    error NotCovered();
    error Fund(bytes);
    error UnknownClaim();
    error TransferFailed();
    error BreakerCallFailed();
    error ReinsurerCallFailed();
    error Value(uint8);

    // Events (each also emitted in its ink! encoding).
    event Deposited(address indexed who, uint128 assets, uint128 shares);
    event SharesRetired(uint32 generation);
    event PremiumAdded(address indexed from, uint128 amount);
    event ExitRequested(address indexed who, uint128 shares, uint128 value_at_request, uint64 unlock_at, uint64 expires_at);
    event Exited(address indexed who, uint128 shares, uint128 paid, uint128 withheld);
    event ExitLapsed(address indexed who, uint128 shares);
    event ClaimFiled(uint64 indexed id, address indexed claimant, uint128 loss, uint128 retained, uint128 ceded);
    event CessionPlaced(uint64 indexed id, uint128 ceded);
    event CessionFailed(uint64 indexed id, uint128 ceded);
    event ClaimApproved(uint64 indexed id);
    event ClaimRejected(uint64 indexed id);
    event ClaimPaid(uint64 indexed id, address indexed claimant, uint128 paid, uint128 haircut);
    event CoverSet(uint128 cover);
    event ParamsUpdated(bytes params);
    event RolesUpdated(Roles roles);

    // Stakers and payers.
    function deposit() external payable returns (uint128);
    function add_premium() external payable;
    function request_exit(uint128 shares) external returns (ExitRequest memory);
    function complete_exit() external returns (Payout memory);
    function expire_exit() external returns (uint128);

    // Covered protocols; anyone.
    function file_claim(uint128 loss, address claimant) external returns (uint64);
    function retry_cession(uint64 id) external;
    function pay_claim(uint64 id) external returns (Payout memory);

    // The admin (the multisig_guard). `params` is a SCALE-encoded FundParams.
    function approve_claim(uint64 id) external;
    function reject_claim(uint64 id) external;
    function raise_active_cover(uint128 cover) external;
    function lower_active_cover(uint128 cover) external;
    function set_params(bytes calldata params) external;
    function set_roles(Roles calldata roles) external;

    // Views.
    function shares_of(address who) external view returns (uint128);
    function exit_of(address who) external view returns (MaybeExit memory);
    function claim(uint64 id) external view returns (MaybeBytes memory);
    function preview_redeem(uint128 shares) external view returns (uint128);
    function total_assets() external view returns (uint128);
    function total_shares() external view returns (uint128);
    function active_cover() external view returns (uint128);
    function required_capital() external view returns (uint128);
    function coverage_bps() external view returns (uint32);
    function params() external view returns (bytes memory);
    function roles() external view returns (Roles memory);
}
