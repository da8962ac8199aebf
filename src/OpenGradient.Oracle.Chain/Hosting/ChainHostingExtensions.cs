using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Chain.Listening;
using OpenGradient.Oracle.Chain.Models;
using OpenGradient.Oracle.Chain.Operator;
using OpenGradient.Oracle.Chain.Submission;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.Inference;

// The extension methods live in the project's root namespace, so `using OpenGradient.Oracle.Chain;` finds them.
#pragma warning disable IDE0130
namespace OpenGradient.Oracle.Chain;
#pragma warning restore IDE0130

public static class ChainHostingExtensions
{
    /// <summary>
    /// Binds <c>Chain</c> and <c>Operator</c>, and registers the chain side of the node: start-up checks (key unlock,
    /// eth_chainId vs Chain:ChainId, oracle code), <see cref="RequestListener"/>, <see cref="ReceiptTracker"/> and
    /// <see cref="IResultSubmitter"/> and <see cref="INodeHealth"/>. Uses <see cref="IOracleMetrics"/> when one is registered. Needs the Storage ports and <see cref="IJobScheduler"/> (AddOracleStorage,
    /// AddOracleJobs). An <see cref="IOperatorKeyProvider"/> registered before this call replaces the keystore.
    /// </summary>
    public static IHostApplicationBuilder AddOracleChain(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<ChainOptions>().Bind(builder.Configuration.GetSection(ChainOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChainOptions>, ChainOptionsValidator>());
        services.AddOptions<OperatorOptions>().Bind(builder.Configuration.GetSection(OperatorOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IOperatorKeyProvider, KeystoreOperatorKeyProvider>();
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<ChainOptions>>().Value;
            return ChainContext.Create(o, sp.GetRequiredService<IOperatorKeyProvider>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("OpenGradient.Oracle.Chain.Rpc"));
        });
        services.TryAddSingleton<ModelCatalog>();
        services.TryAddSingleton<ResultSubmitter>();
        services.TryAddSingleton<IResultSubmitter>(sp => sp.GetRequiredService<ResultSubmitter>());
        services.TryAddSingleton<RequestListener>();
        services.TryAddSingleton<ReceiptTracker>();
        services.TryAddSingleton<INodeHealth, ChainNodeHealth>();
        services.TryAddSingleton<RpcHealthMonitor>();
        services.AddHostedService<ChainStartup>();
        services.AddHostedService(sp => sp.GetRequiredService<RpcHealthMonitor>());
        services.AddHostedService(sp => sp.GetRequiredService<ResultSubmitter>());
        services.AddHostedService(sp => sp.GetRequiredService<RequestListener>());
        services.AddHostedService(sp => sp.GetRequiredService<ReceiptTracker>());
        Finality.FinalityHostingExtensions.AddOracleFinality(builder);
        return builder;
    }

    /// <summary>
    /// Binds <c>Inference</c> to <see cref="InferenceOptions"/> and registers <see cref="IOracleInference"/> (singleton)
    /// and the <see cref="IInferenceRunner"/> the jobs use (registry lookup + inference). Call with AddOracleChain,
    /// which provides the registry reads.
    /// </summary>
    public static IHostApplicationBuilder AddOracleInference(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection("Inference");
        builder.Services.TryAddSingleton<IOracleInference>(sp =>
        {
            var options = section.Get<InferenceOptions>() ?? new InferenceOptions();
            // The agreed schema's default: the bundled models folder next to where the node runs.
            if (section[nameof(InferenceOptions.ModelDirectory)] is null) options = options with { ModelDirectory = "models" };
            if (options.Validate() is { } error) throw new OptionsValidationException("Inference", typeof(InferenceOptions), ["Inference:" + error]);
            return OracleInference.Create(options, null, sp.GetService<ILoggerFactory>());
        });
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<ModelCatalog>();
        builder.Services.TryAddSingleton<RegistryInferenceRunner>();
        builder.Services.AddHostedService<ModelWarmup>();
        if (builder.Configuration.GetValue<bool>("FaultInjection:PerturbOutputs"))
            builder.Services.TryAddSingleton<IInferenceRunner>(sp => new PerturbingInferenceRunner(
                sp.GetRequiredService<RegistryInferenceRunner>(), sp.GetRequiredService<ChainContext>(), sp.GetRequiredService<ILogger<PerturbingInferenceRunner>>()));
        else
            builder.Services.TryAddSingleton<IInferenceRunner>(sp => sp.GetRequiredService<RegistryInferenceRunner>());
        return builder;
    }
}
