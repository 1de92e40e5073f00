namespace MasStack.Contracts;

// Travel as lowercase kebab strings in JSON ("postpaid", "pending-activation").
public enum SalesChannel { Store, Online }

public enum PaymentType { Prepaid, Postpaid }

public enum SubscriptionType { Fixed, Mobile, Internet, Tv }

public enum NumberMode { New, Portability }

// Terminated and PortedOut end a live line (issue 10); added at the end, so older readers see them as "other".
public enum SubscriptionStatus { PendingActivation, PendingPortability, Active, Barred, Cancelled, Moved, Terminated, PortedOut }

public enum AccountStatus { Active, Suspended, Closed }
