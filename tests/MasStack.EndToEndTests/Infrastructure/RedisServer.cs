using Aspire.Hosting;
using Aspire.Hosting.Testing;
using System.Net.Sockets;
using System.Text;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests.Infrastructure;

/// <summary>Commands to the suite's Redis itself (not through a service), to make it misbehave as a real one can.</summary>
public static class RedisServer
{
    /// <summary>
    /// Redis keeps its data and connections but holds every write (scripts included) for <paramref name="duration"/>:
    /// to its clients, a Redis that times out.
    /// </summary>
    public static async Task PauseWritesAsync(this SuiteFixture suite, TimeSpan duration)
    {
        using var tcp = await ConnectAsync(suite);
        await SendAsync(tcp.GetStream(), "CLIENT", "PAUSE", ((long)duration.TotalMilliseconds).ToString(), "WRITE");
    }

    /// <summary>Returns once Redis takes a write again (at the end of a pause).</summary>
    public static async Task WaitUntilWritesAnswerAsync(this SuiteFixture suite)
    {
        using var tcp = await ConnectAsync(suite);
        await SendAsync(tcp.GetStream(), "SET", "masstack-test:write-probe", "1", "EX", "60");
    }

    private static async Task<TcpClient> ConnectAsync(SuiteFixture suite)
    {
        var connectionString = await suite.App.GetConnectionStringAsync(ResourceNames.Redis)
            ?? throw new InvalidOperationException("No Redis connection string.");
        var parts = connectionString.Split(',');
        var endpoint = parts[0].Split(':');
        var password = parts.Select(p => p.Trim()).FirstOrDefault(p => p.StartsWith("password=", StringComparison.Ordinal))?["password=".Length..];

        var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint[0], int.Parse(endpoint[1]));
        if (password is not null) await SendAsync(tcp.GetStream(), "AUTH", password);
        return tcp;
    }

    private static async Task SendAsync(NetworkStream stream, params string[] command)
    {
        var text = new StringBuilder($"*{command.Length}\r\n");
        foreach (var part in command) text.Append($"${Encoding.UTF8.GetByteCount(part)}\r\n{part}\r\n");
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()));
        var reply = new byte[256];
        var read = await stream.ReadAsync(reply);
        var answer = Encoding.UTF8.GetString(reply, 0, read);
        Assert.True(answer.StartsWith('+'), $"Redis refused {command[0]}: {answer}");
    }
}
