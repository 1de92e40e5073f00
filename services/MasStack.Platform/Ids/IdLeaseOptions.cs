namespace MasStack.Platform.Ids;

/// <summary>How an <see cref="IdGenerator"/> holds its worker number in Redis.</summary>
public sealed record IdLeaseOptions
{
    /// <summary>How long a lease lasts unless renewed; another instance can take the worker number only after it.</summary>
    public TimeSpan LeaseTime { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan RenewEvery { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Minting stops this long before the lease could lapse, counted from when the last renewal was sent.</summary>
    public TimeSpan SafetyMargin { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How many worker numbers (from 0) may be leased: all of <see cref="SnowflakeIds.MaxWorkers"/> but in tests.</summary>
    public int Workers { get; init; } = SnowflakeIds.MaxWorkers;

    public string KeyPrefix { get; init; } = "masstack:id-worker";

    /// <summary>How long after sending a renewal that succeeded the holder may mint.</summary>
    public TimeSpan MintingWindow => LeaseTime - SafetyMargin;
}
