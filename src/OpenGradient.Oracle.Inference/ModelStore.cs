using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using OpenGradient.Oracle.Core.Inference;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Inference;

/// <summary>The outcome of resolving a model: a loaded model or why there is none.</summary>
internal readonly record struct ModelLoad(LoadedModel? Model, InferenceFailure? Failure);

/// <summary>
/// Resolves a model id to a verified, loaded ONNX session. Invariant: the bytes handed to ONNX Runtime are the very
/// bytes whose keccak256 was compared with the model id (read once, hashed, loaded from memory), so a file swapped
/// on disk after the check cannot be run. Sessions are cached per model id; failed loads are not cached.
/// </summary>
internal sealed class ModelStore : IModelPreloader, IDisposable
{
    private readonly InferenceOptions _options;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly ILogger _logger;
    private readonly SessionOptions _sessionOptions;
    private readonly ConcurrentDictionary<ModelKey, Lazy<Task<ModelLoad>>> _models = new();
    private readonly Lock _indexLock = new();
    private readonly Dictionary<string, (long Length, DateTime WrittenUtc, ModelKey Hash)> _indexedFiles = new(StringComparer.Ordinal);
    private readonly Dictionary<ModelKey, string> _index = new();
    private readonly CancellationTokenSource _disposed = new();

    public ModelStore(InferenceOptions options, HttpClient? httpClient = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } error) throw new ArgumentException(error, nameof(options));
        _options = options;
        _ownsHttp = httpClient is null;
        _http = httpClient ?? new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false });
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _sessionOptions = CreateSessionOptions();
    }

    /// <summary>The deterministic settings of docs/PROTOCOL.md: CPU only, 1×1 threads, sequential, basic optimisation.</summary>
    internal static SessionOptions CreateSessionOptions() => new()
    {
        IntraOpNumThreads = 1,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC,
        LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
    };

    public async ValueTask<InferenceFailure?> PreloadAsync(ReadOnlyMemory<byte> modelId, string? uri, CancellationToken cancellationToken = default) =>
        (await GetAsync(ModelKey.From(modelId.Span), uri, cancellationToken).ConfigureAwait(false)).Failure;

    /// <summary>Loads every model of the model folder: the folder index (each file hashed once) names them.</summary>
    public async Task<(string? Directory, int Loaded, int Failed)> PreloadDirectoryAsync(CancellationToken cancellationToken = default)
    {
        if (_options.ModelDirectory is not { } directory) return (null, 0, 0);
        if (!Directory.Exists(directory)) return (directory, 0, 0);
        ModelKey[] keys;
        lock (_indexLock)
        {
            IndexDirectory(directory);
            keys = [.. _index.Keys];
        }
        var loaded = 0;
        foreach (var key in keys)
            if ((await GetAsync(key, null, cancellationToken).ConfigureAwait(false)).Failure is null) loaded++;
        return (directory, loaded, keys.Length - loaded);
    }

    /// <summary>Completes synchronously when the model is already loaded.</summary>
    public ValueTask<ModelLoad> GetAsync(ModelKey key, string? uri, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        if (_models.TryGetValue(key, out var cached) && cached.IsValueCreated && cached.Value.IsCompletedSuccessfully)
            return new ValueTask<ModelLoad>(cached.Value.Result);
        return new ValueTask<ModelLoad>(GetSlowAsync(key, uri, cancellationToken));
    }

    private async Task<ModelLoad> GetSlowAsync(ModelKey key, string? uri, CancellationToken cancellationToken)
    {
        var lazy = _models.GetOrAdd(key, k => new Lazy<Task<ModelLoad>>(() => Task.Run(() => LoadAsync(k, uri))));
        ModelLoad load;
        try
        {
            load = await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        // A missing file may appear later (or the URI differ next time): forget failures so the next request retries.
        if (load.Failure is not null) _models.TryRemove(new KeyValuePair<ModelKey, Lazy<Task<ModelLoad>>>(key, lazy));
        return load;
    }

    private async Task<ModelLoad> LoadAsync(ModelKey key, string? uri)
    {
        var id = key.ToString();
        ModelLoad load;
        try
        {
            load = await ResolveAsync(key, id, uri, _disposed.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            load = new ModelLoad(null, new InferenceFailure(FailureReason.ModelFileUnavailable, $"reading the model file failed: {e.Message}"));
        }
        if (load.Failure is { } failure) _logger.ModelNotLoaded(id, failure.Reason, failure.Detail);
        return load;
    }

    private async Task<ModelLoad> ResolveAsync(ModelKey key, string id, string? uri, CancellationToken cancellationToken)
    {
        var tried = new List<string>();
        ModelHashMismatch? mismatch = null;

        if (_options.ModelDirectory is { } directory)
        {
            foreach (var name in new[] { id[2..] + ".onnx", id + ".onnx" })
            {
                var path = Path.Combine(directory, name);
                if (!File.Exists(path)) continue;
                var outcome = TryLoad(key, id, ReadFile(path), path);
                if (outcome.Model is not null) return outcome;
                mismatch ??= outcome.Failure as ModelHashMismatch;
                if (outcome.Failure is not ModelHashMismatch) return outcome;
            }
            if (FindIndexed(key, directory) is { } indexed)
            {
                var outcome = TryLoad(key, id, ReadFile(indexed), indexed);
                if (outcome.Failure is not ModelHashMismatch) return outcome;
                mismatch ??= (ModelHashMismatch)outcome.Failure;
            }
            tried.Add($"no file in {directory} hashes to the model id");
        }

        if (!string.IsNullOrWhiteSpace(uri))
        {
            var (bytes, reason) = await FetchUriAsync(uri, cancellationToken).ConfigureAwait(false);
            if (bytes is not null)
            {
                var outcome = TryLoad(key, id, bytes, uri);
                if (outcome.Failure is not ModelHashMismatch) return outcome;
                mismatch ??= (ModelHashMismatch)outcome.Failure;
            }
            else tried.Add(reason!);
        }
        else tried.Add("the registry has no URI for it");

        if (mismatch is not null) return new ModelLoad(null, mismatch);
        return new ModelLoad(null, new InferenceFailure(FailureReason.ModelFileUnavailable,
            $"no file for model {id}: {string.Join("; ", tried)}"));
    }

    private ModelLoad TryLoad(ModelKey key, string id, byte[]? bytes, string source)
    {
        if (bytes is null)
            return new ModelLoad(null, new InferenceFailure(FailureReason.ModelFileUnavailable,
                $"{source} is larger than the {_options.MaxModelBytes}-byte limit"));
        var actual = Keccak256.Hash(bytes);
        if (ModelKey.From(actual) != key) return new ModelLoad(null, new ModelHashMismatch(id, Hex.Encode(actual), source));

        InferenceSession session;
        try
        {
            session = new InferenceSession(bytes, _sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            return new ModelLoad(null, new InferenceFailure(FailureReason.InferenceError, $"ONNX Runtime cannot load {source}: {e.Message}"));
        }
        _logger.ModelLoaded(id, source, bytes.Length);
        return new ModelLoad(new LoadedModel(id, session), null);
    }

    private byte[]? ReadFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        if (stream.Length > _options.MaxModelBytes) return null;
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>Indexes the folder (see <see cref="IndexDirectory"/>) and looks the id up.</summary>
    private string? FindIndexed(ModelKey key, string directory)
    {
        if (!Directory.Exists(directory)) return null;
        lock (_indexLock)
        {
            IndexDirectory(directory);
            return _index.GetValueOrDefault(key);
        }
    }

    /// <summary>Hashes every *.onnx in the folder that was not hashed before (or changed since). Call under _indexLock.</summary>
    private void IndexDirectory(string directory)
    {
        var hashed = 0;
        foreach (var path in Directory.EnumerateFiles(directory, "*.onnx"))
        {
            var info = new FileInfo(path);
            if (info.Length > _options.MaxModelBytes) continue;
            if (_indexedFiles.TryGetValue(path, out var seen) && seen.Length == info.Length && seen.WrittenUtc == info.LastWriteTimeUtc)
                continue;
            ModelKey hash;
            try
            {
                using var stream = File.OpenRead(path);
                hash = ModelKey.From(Keccak256.Hash(stream));
            }
            catch (IOException)
            {
                continue;
            }
            _indexedFiles[path] = (info.Length, info.LastWriteTimeUtc, hash);
            _index[hash] = path;
            hashed++;
        }
        if (hashed > 0) _logger.DirectoryIndexed(hashed, directory);
    }

    private async Task<(byte[]? Bytes, string? Reason)> FetchUriAsync(string uriText, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(uriText, UriKind.Absolute, out var uri)) return (null, $"URI '{uriText}' is not an absolute URI");

        if (uri.IsFile)
        {
            if (!_options.AllowFileUris) return (null, $"file URIs are disabled ({nameof(InferenceOptions.AllowFileUris)} = false)");
            var path = uri.LocalPath;
            if (!File.Exists(path)) return (null, $"{path} does not exist");
            var bytes = ReadFile(path);
            return bytes is null ? (null, $"{path} is larger than the {_options.MaxModelBytes}-byte limit") : (bytes, null);
        }

        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            return (null, $"URI scheme '{uri.Scheme}' is not supported (file://, or http(s):// on a loopback host)");
        if (!_options.AllowHttpLoopback)
            return (null, $"http(s) fetching is disabled ({nameof(InferenceOptions.AllowHttpLoopback)} = false)");
        if (!uri.IsLoopback)
            return (null, $"refusing to fetch {uri.GetLeftPart(UriPartial.Authority)}: only loopback hosts are fetched over http(s)");

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.HttpTimeout);
        try
        {
            using var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) return (null, $"GET {uri} returned {(int)response.StatusCode}");
            if (response.Content.Headers.ContentLength > _options.MaxModelBytes)
                return (null, $"{uri} is larger than the {_options.MaxModelBytes}-byte limit");
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            using var copy = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(buffer, timeout.Token).ConfigureAwait(false)) > 0)
            {
                if (copy.Length + read > _options.MaxModelBytes) return (null, $"{uri} is larger than the {_options.MaxModelBytes}-byte limit");
                copy.Write(buffer, 0, read);
            }
            return (copy.ToArray(), null);
        }
        catch (HttpRequestException e)
        {
            return (null, $"GET {uri} failed: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"GET {uri} timed out after {_options.HttpTimeout}");
        }
    }

    public void Dispose()
    {
        if (_disposed.IsCancellationRequested) return;
        _disposed.Cancel();
        foreach (var lazy in _models.Values)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully) lazy.Value.Result.Model?.Dispose();
        }
        _models.Clear();
        _sessionOptions.Dispose();
        if (_ownsHttp) _http.Dispose();
        _disposed.Dispose();
    }
}
