using OpenGradient.Oracle.Worker;

// The node process: OpenGradient.Oracle.Worker --config <file.json>   (same as og-oracle node run --config <file.json>).
// Exit codes follow og-oracle's: 0 stopped normally, 2 bad arguments, 3 configuration, 4 a dependency could not be
// reached at start (database, RPC).
const string Usage = "usage: OpenGradient.Oracle.Worker --config <file.json>   (settings: docs/CONFIGURATION.md)";
string? configPath = null;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] is "--help" or "-h")
    {
        Console.WriteLine(Usage);
        return 0;
    }
    if (args[i] is "--config" or "-c" && i + 1 < args.Length) configPath = args[++i];
    else if (args[i].StartsWith("--config=", StringComparison.Ordinal)) configPath = args[i]["--config=".Length..];
    else
    {
        await Console.Error.WriteLineAsync($"unknown argument '{args[i]}'; {Usage}");
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
catch (Exception e) when (e is Npgsql.NpgsqlException or System.Net.Http.HttpRequestException or System.Net.Sockets.SocketException)
{
    await Console.Error.WriteLineAsync($"the node could not start: {e.Message} (is the database / RPC in the configuration running?)");
    return 4;
}
