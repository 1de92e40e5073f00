namespace MasStack.Contracts;

// Travel as lowercase kebab strings in JSON ("postpaid", "pending-activation").
public enum SalesChannel { Store, Online }

public enum PaymentType { Prepaid, Postpaid }

public enum SubscriptionType { Fixed, Mobile, Internet, Tv }

public enum NumberMode { New, Portability }

public enum SubscriptionStatus { PendingActivation, PendingPortability, Active, Barred, Cancelled, Moved }

public enum AccountStatus { Active, Suspended, Closed }
