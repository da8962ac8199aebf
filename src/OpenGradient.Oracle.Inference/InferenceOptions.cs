namespace OpenGradient.Oracle.Inference;

/// <summary>Where model files come from and how far the node will go to fetch them.</summary>
public sealed record InferenceOptions
{
    /// <summary>
    /// A local folder of ONNX files. A file named <c>&lt;modelId hex&gt;.onnx</c> (with or without 0x) is tried first;
    /// otherwise every <c>*.onnx</c> in the folder is hashed once and indexed by keccak256. Null: no local folder.
    /// </summary>
    public string? ModelDirectory { get; init; }

    /// <summary>Fetch <c>http(s)://</c> registry URIs whose host is loopback. Other hosts are always refused.</summary>
    public bool AllowHttpLoopback { get; init; } = true;

    /// <summary>Follow <c>file://</c> registry URIs.</summary>
    public bool AllowFileUris { get; init; } = true;

    /// <summary>Files larger than this are refused (MODEL_FILE_UNAVAILABLE).</summary>
    public long MaxModelBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Time limit for one HTTP download.</summary>
    public TimeSpan HttpTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Null when usable, otherwise which setting is wrong and how to fix it.</summary>
    public string? Validate()
    {
        if (MaxModelBytes <= 0) return $"{nameof(MaxModelBytes)} must be positive (got {MaxModelBytes}).";
        if (HttpTimeout <= TimeSpan.Zero) return $"{nameof(HttpTimeout)} must be positive (got {HttpTimeout}).";
        if (ModelDirectory is { Length: 0 }) return $"{nameof(ModelDirectory)} is empty; set a folder or leave it null.";
        return null;
    }
}
