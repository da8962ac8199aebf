using OpenGradient.Oracle.Worker;

// Usage: OpenGradient.Oracle.Worker --config <file.json>   (also: og-oracle node run --config <file.json>)
string? configPath = null;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] is "--config" or "-c" && i + 1 < args.Length) configPath = args[++i];
    else if (args[i].StartsWith("--config=", StringComparison.Ordinal)) configPath = args[i]["--config=".Length..];
    else
    {
        await Console.Error.WriteLineAsync($"unknown argument '{args[i]}'; usage: OpenGradient.Oracle.Worker --config <file.json>");
        return 2;
    }
}

try
{
    await OracleNodeHost.RunAsync(new OracleNodeHostOptions { ConfigFilePath = configPath });
    return 0;
}
catch (OracleNodeConfigurationException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 3;
}
