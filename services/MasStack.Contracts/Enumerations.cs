namespace MasStack.Contracts;

// Travel as lowercase kebab strings in JSON ("postpaid", "pending-activation").
public enum SalesChannel { Store, Online }

public enum PaymentType { Prepaid, Postpaid }

public enum SubscriptionType { Fixed, Mobile, Internet, Tv }

public enum NumberMode { New, Portability }

// Terminated and PortedOut end a live line (issue 10); added at the end, so older readers see them as "other".
public enum SubscriptionStatus { PendingActivation, PendingPortability, Active, Barred, Cancelled, Moved, Terminated, PortedOut }

/// <summary>The states in which a line has ended for good, once for every service that keeps lines.</summary>
public static class EndedLines
{
    public static bool Contains(SubscriptionStatus status) =>
        status is SubscriptionStatus.Cancelled or SubscriptionStatus.Moved or SubscriptionStatus.Terminated or SubscriptionStatus.PortedOut;

    /// <summary>The same states as SQL lists them (<c>status NOT IN (…)</c>).</summary>
    public const string Sql = "'cancelled', 'moved', 'terminated', 'ported-out'";
}

public enum AccountStatus { Active, Suspended, Closed }
