namespace OpenGradient.Oracle.ModelBuilder;

/// <summary>
/// SplitMix64: a fixed, documented generator, so the weights never depend on the .NET version's
/// <see cref="Random"/> implementation. Values are multiples of a power of two, exact in float32.
/// </summary>
internal sealed class SeededWeights(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>An integer uniformly drawn from [min, max].</summary>
    public int NextInt(int min, int max) => min + (int)(Next() % (ulong)(max - min + 1));

    /// <summary><paramref name="count"/> floats k/128 × <paramref name="scale"/>, k uniform in [-128, 128].</summary>
    public float[] Floats(int count, float scale)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++) values[i] = NextInt(-128, 128) / 128f * scale;
        return values;
    }

    public sbyte[] SBytes(int count, int min, int max)
    {
        var values = new sbyte[count];
        for (var i = 0; i < count; i++) values[i] = (sbyte)NextInt(min, max);
        return values;
    }
}
