namespace OpenGradient.Oracle.Worker;

/// <summary>
/// The node's configuration is missing or wrong. <see cref="Exception.Message"/> lists every problem found, each naming
/// the setting (as <c>Section:Key</c>) and what it should be; <see cref="Problems"/> has them one by one.
/// </summary>
public sealed class OracleNodeConfigurationException : Exception
{
    public OracleNodeConfigurationException(IReadOnlyList<string> problems, Exception? inner = null)
        : base(Format(problems), inner)
    {
        Problems = problems;
    }

    public OracleNodeConfigurationException() : this(["the configuration is invalid"]) { }

    public OracleNodeConfigurationException(string message) : this([message]) { }

    public OracleNodeConfigurationException(string message, Exception inner) : this([message], inner) { }

    public IReadOnlyList<string> Problems { get; }

    private static string Format(IReadOnlyList<string> problems) => problems.Count == 1
        ? "Invalid node configuration: " + problems[0]
        : "Invalid node configuration:" + string.Concat(problems.Select(p => Environment.NewLine + "  - " + p));
}
