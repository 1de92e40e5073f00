namespace MasStack.EndToEndTests.Infrastructure;

/// <summary>Waits on a condition with a deadline (never a fixed sleep): polls until it holds, else fails saying what it last saw.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var value = await probe();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what}; last seen: {value}");
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }
}
