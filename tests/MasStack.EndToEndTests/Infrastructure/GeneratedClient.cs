using System.Diagnostics;

namespace MasStack.EndToEndTests.Infrastructure;

/// <summary>
/// What a partner does with an OpenAPI document: generates a C# client with Kiota (the repository's tool manifest), builds
/// it with one of the programs of tests/generated-clients in a directory of its own, outside our solution, and runs it.
/// </summary>
public static class GeneratedClient
{
    public static async Task<(int ExitCode, string Output)> GenerateBuildAndRunAsync(
        string description, string clientClass, string clientNamespace, string program, Dictionary<string, string> environment)
    {
        var work = Directory.CreateTempSubdirectory("masstack-client-");
        var generated = await RunAsync("dotnet", ["kiota", "generate", "-l", "CSharp", "-d", description, "-c", clientClass, "-n", clientNamespace,
            "-o", Path.Combine(work.FullName, "Client"), "--clean-output", "--log-level", "Warning"], RepositoryRoot());
        Assert.True(generated.ExitCode == 0, "kiota generate:\n" + generated.Output);
        var programs = Path.Combine(RepositoryRoot(), "tests", "generated-clients");
        File.Copy(Path.Combine(programs, program, "Program.cs"), Path.Combine(work.FullName, "Program.cs"));
        File.Copy(Path.Combine(programs, "GeneratedClient.csproj.template"), Path.Combine(work.FullName, program + ".csproj"));
        var built = await RunAsync("dotnet", ["build", "-c", "Release", "-nologo", "-v", "q"], work.FullName);
        Assert.True(built.ExitCode == 0, "the generated client does not compile:\n" + built.Output);

        var run = await RunAsync("dotnet", ["run", "-c", "Release", "--no-build"], work.FullName, environment);
        work.Delete(recursive: true);
        return run;
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(string program, string[] arguments, string directory, Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        foreach (var (name, value) in environment ?? []) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MasStack.Aspire.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("MasStack.Aspire.sln not found above the test's directory");
    }
}
