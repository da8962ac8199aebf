namespace OpenGradient.Oracle.TestSupport;

public static class RepoPaths
{
    /// <summary>The repository root: the nearest ancestor of the test binary that holds OpenGradient.Oracle.sln.</summary>
    public static string Root { get; } = FindRoot();

    public static string Hardhat => Path.Combine(Root, "hardhat");

    /// <summary>Node 22 from hardhat/node_modules (Hardhat 3 refuses the machine's Node 20).</summary>
    public static string Node => Path.Combine(Hardhat, "node_modules", ".bin", "node");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OpenGradient.Oracle.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root (OpenGradient.Oracle.sln) not found above " + AppContext.BaseDirectory);
    }
}
