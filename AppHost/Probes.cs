using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace MasStack.AppHost;

/// <summary>
/// Health checks of the local infrastructure: each asks the server a real question, so that a resource that
/// waits for it starts only once it answers (a process that runs is not yet a server that accepts).
/// </summary>
internal static class Probes
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <summary>PostgreSQL: a real connection and <c>SELECT 1</c>.</summary>
    public static async Task<HealthCheckResult> PostgresAsync(int port, CancellationToken cancellationToken)
    {
        var connectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false;Timeout=3;Command Timeout=3";
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            return await command.ExecuteScalarAsync(cancellationToken) is 1
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("SELECT 1 did not return 1.");
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or IOException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }

    /// <summary>Redis: <c>PING</c> answered with <c>+PONG</c>.</summary>
    public static Task<HealthCheckResult> RedisAsync(int port, CancellationToken cancellationToken) =>
        AskAsync(port, "PING\r\n"u8.ToArray(), answer => answer.StartsWith("+PONG"u8), "PING was not answered with +PONG.", cancellationToken);

    /// <summary>
    /// RabbitMQ: the AMQP 0-9-1 protocol header; the broker answers with a frame (connection.start) only once it
    /// accepts clients, which it does some seconds after its port opens.
    /// </summary>
    public static Task<HealthCheckResult> RabbitMqAsync(int port, CancellationToken cancellationToken) =>
        AskAsync(port, "AMQP\0\0\x09\x01"u8.ToArray(), answer => answer.Length > 0 && answer[0] == 1, "The broker did not answer the AMQP header with a frame.", cancellationToken);

    private static async Task<HealthCheckResult> AskAsync(
        int port, byte[] question, Func<ReadOnlySpan<byte>, bool> isHealthy, string unhealthy, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var client = new TcpClient(AddressFamily.InterNetwork);
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(question, timeout.Token);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return isHealthy(buffer.AsSpan(0, read))
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"{unhealthy} Got: {Encoding.ASCII.GetString(buffer, 0, read).TrimEnd()}");
        }
        catch (Exception ex) when (ex is SocketException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }
}
