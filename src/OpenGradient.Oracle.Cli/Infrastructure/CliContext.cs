using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Ethereum.Rpc;
using Spectre.Console;

namespace OpenGradient.Oracle.Cli.Infrastructure;

/// <summary>
/// What every command shares: where results go (<see cref="Out"/>, plain text that scripts read), where people read
/// (<see cref="Console"/>, stderr, with colour and tables), and the one error policy.
/// </summary>
public sealed class CliContext(TextWriter output, IAnsiConsole console)
{
    public TextWriter Out { get; } = output;

    public IAnsiConsole Console { get; } = console;

    public static CliContext CreateDefault()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(System.Console.Error),
        });
        // Redirected to a log: Spectre would wrap at 80 columns and split hashes across lines.
        if (System.Console.IsErrorRedirected) console.Profile.Width = 240;
        return new(System.Console.Out, console);
    }

    public int Run(Func<int> action) => RunAsync(() => Task.FromResult(action())).GetAwaiter().GetResult();

    /// <summary>Runs a command body and turns the failures a user can act on into a message, a hint and an exit code.</summary>
    public async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (CliException e)
        {
            return Fail(e.Message, e.Hint, e.ExitCode);
        }
        catch (ContractRevertedException e)
        {
            var where = e.Stage == RevertStage.Simulation ? "(simulated; nothing was sent)" : "(mined; gas was spent)";
            return Fail($"the chain refused: {e.Reason} {where}", RevertHints.For(e.ErrorName), ExitCodes.Reverted);
        }
        catch (ContractRevertException e)
        {
            return Fail($"the chain refused: {e.Message}", null, ExitCodes.Reverted);
        }
        catch (FeeCapExceededException e)
        {
            return Fail(e.Message, "retry when fees drop", ExitCodes.Transport);
        }
        catch (RpcTransportException e)
        {
            return Fail($"RPC node unreachable: {e.Message}", "check --rpc and that the node is running", ExitCodes.Transport);
        }
        catch (RpcErrorException e)
        {
            return Fail($"RPC error {e.Code}: {e.Message}", null, ExitCodes.Transport);
        }
        catch (TimeoutException e)
        {
            return Fail($"timed out: {e.Message}", "raise --timeout, or check that an oracle node is running", ExitCodes.Timeout);
        }
        catch (OperationCanceledException)
        {
            return Fail("cancelled", null, ExitCodes.Timeout);
        }
    }

    private int Fail(string message, string? hint, int code)
    {
        Console.MarkupLineInterpolated($"[red]error:[/] {message}");
        if (hint is not null) Console.MarkupLineInterpolated($"[grey]hint:[/] {hint}");
        return code;
    }
}
