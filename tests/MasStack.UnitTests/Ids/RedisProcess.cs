using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace MasStack.UnitTests.Ids;

/// <summary>
/// A real <c>redis-server</c> of the test's own on a free port, without persistence (as the suite runs it), that the test
/// can kill and start again (a restart forgets every key) or freeze and thaw (SIGSTOP: it answers nothing meanwhile).
/// </summary>
public sealed class RedisProcess : IAsyncDisposable
{
    private Process? _server;

    private RedisProcess(int port) => Port = port;

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=1000,syncTimeout=1000,asyncTimeout=1000";

    public static async Task<RedisProcess> StartAsync()
    {
        var redis = new RedisProcess(FreePort());
        await redis.StartAgainAsync();
        return redis;
    }

    public async Task<ConnectionMultiplexer> ConnectAsync() => await ConnectionMultiplexer.ConnectAsync(Configuration);

    public async Task StartAgainAsync()
    {
        _server = Process.Start(new ProcessStartInfo("redis-server",
            ["--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _server.OutputDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>kill -9: every key is lost.</summary>
    public async Task KillAsync()
    {
        if (_server is null) return;
        _server.Kill();
        await _server.WaitForExitAsync();
        _server.Dispose();
        _server = null;
    }

    public Task FreezeAsync() => SignalAsync("STOP");

    public Task ThawAsync() => SignalAsync("CONT");

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _server!.Id.ToString()])!;
        await kill.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await ThawAsync();
        await KillAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
