using System.Collections.Concurrent;
using MasStack.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddSingleton<Receiver>();

var app = builder.Build();
app.UseServiceDefaults();

// A callback: /hooks/{name} — each name its own inbox, so tests don't see each other's deliveries.
app.MapPost("/hooks/{name}", async (string name, HttpRequest request, Receiver receiver, CancellationToken ct) =>
{
    var behaviour = receiver.Behaviour(name);
    if (behaviour.HangMs > 0)
    {
        using var _ = receiver.Hanging(name);
        await Task.Delay(behaviour.HangMs, ct);
    }
    if (behaviour.Status != 200)
    {
        receiver.Refused(name);
        return Results.StatusCode(behaviour.Status);
    }
    using var reader = new StreamReader(request.Body);
    var body = await reader.ReadToEndAsync(ct);
    receiver.Record(name, new Delivery(
        request.Headers["webhook-id"].ToString(), request.Headers["webhook-timestamp"].ToString(),
        request.Headers["webhook-signature"].ToString(), body, DateTimeOffset.UtcNow));
    return Results.NoContent();
});
// What a callback received, in arrival order, how many requests it refused, and how many it is holding (slow) now.
app.MapGet("/hooks/{name}", (string name, Receiver receiver) => Results.Ok(receiver.Read(name)));
// How the callback answers from now on: { "status": 503 } (down), { "hangMs": 20000 } (slow), { "status": 200 } (well).
app.MapPut("/hooks/{name}/behaviour", (string name, Behaviour behaviour, Receiver receiver) =>
{
    receiver.Set(name, behaviour);
    return Results.NoContent();
});
app.Run();

public sealed record Delivery(string Id, string Timestamp, string Signature, string Body, DateTimeOffset ReceivedAt);
public sealed record Behaviour(int Status = 200, int HangMs = 0);
public sealed record Received(IReadOnlyList<Delivery> Deliveries, int Refused, int Holding);

public sealed class Receiver
{
    private readonly ConcurrentDictionary<string, Hook> _hooks = new();

    private sealed class Hook
    {
        public readonly List<Delivery> Deliveries = [];
        public Behaviour Behaviour = new();
        public int Refused;
        public int Holding;
    }

    private Hook Of(string name) => _hooks.GetOrAdd(name, _ => new Hook());
    public Behaviour Behaviour(string name) => Of(name).Behaviour;
    public void Set(string name, Behaviour behaviour) => Of(name).Behaviour = behaviour;
    public void Refused(string name) => Interlocked.Increment(ref Of(name).Refused);

    /// <summary>Counts a request the callback holds open until the returned scope ends.</summary>
    public IDisposable Hanging(string name)
    {
        var hook = Of(name);
        Interlocked.Increment(ref hook.Holding);
        return new Release(() => Interlocked.Decrement(ref hook.Holding));
    }

    private sealed class Release(Action release) : IDisposable
    {
        public void Dispose() => release();
    }

    public void Record(string name, Delivery delivery)
    {
        var hook = Of(name);
        lock (hook) hook.Deliveries.Add(delivery);
    }

    public Received Read(string name)
    {
        var hook = Of(name);
        lock (hook) return new Received([.. hook.Deliveries], hook.Refused, Volatile.Read(ref hook.Holding));
    }
}
