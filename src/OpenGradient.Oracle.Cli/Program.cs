using OpenGradient.Oracle.Cli;
using OpenGradient.Oracle.Cli.Infrastructure;

return await OgOracleCli.InvokeAsync(args, CliContext.CreateDefault());
