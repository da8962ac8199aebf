namespace OpenGradient.Oracle.Cli.Infrastructure;

/// <summary>What to do about the custom errors a CLI user meets most often.</summary>
internal static class RevertHints
{
    public static string? For(string? errorName) => errorName switch
    {
        "ModelRegistryAlreadyRegistered" => "this file's model id is registered already; see it with `og-oracle model show --file FILE`",
        "ModelRegistryUnknownModel" => "no model with this id is registered; register it with `og-oracle model register --file FILE`",
        "ModelRegistryInvalidShape" or "ModelRegistryInvalidRange" or "ModelRegistryInvalidDecimals" or "ModelRegistryInvalidElementType"
            or "ModelRegistryTensorTooLarge" => "fix the tensor spec (models/README.md describes the fields)",
        "OperatorRegistryAlreadyRegistered" => "this key is registered already; add stake with `og-oracle operator stake --amount`",
        "OperatorRegistryNotRegistered" => "register first with `og-oracle operator register --stake AMOUNT`",
        "OperatorRegistryInsufficientStake" => "stake at least the registry's minimum (see `og-oracle operator show`)",
        "OperatorRegistryUnbonding" => "this operator is unbonding; wait for the delay to end and withdraw",
        "OperatorRegistryNotUnbonding" => "request unbonding first with `og-oracle operator unbond`",
        "OperatorRegistryUnbondingNotOver" => "the unbonding delay is not over yet (see `og-oracle operator show`)",
        "InferenceOracleModelInactive" => "the model is not registered or was revoked; check `og-oracle model show`",
        "InferenceOracleInsufficientFee" => "the fee is the model's fee × redundancy; see `og-oracle model show`",
        "InferenceOracleInputLengthMismatch" => "the input does not match the model's registered input spec",
        "InferenceOracleNothingToWithdraw" => "this account has no fees to withdraw",
        _ => null,
    };
}
