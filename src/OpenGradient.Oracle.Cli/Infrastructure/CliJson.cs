using System.Text.Encodings.Web;
using System.Text.Json;

namespace OpenGradient.Oracle.Cli.Infrastructure;

/// <summary>How the CLI writes JSON for scripts: indented, and readable ("+00:00", not "\u002B00:00").</summary>
public static class CliJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
