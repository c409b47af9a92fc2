package dev.switchyard.actors;

/**
 * One tenant's spend and request rate against its limits, as its ledger holds them now (0 for a limit means none).
 *
 * @param spentTodayUsd what its settled calls cost in the current UTC day, plus reservations that expired unsettled
 * @param spentMonthUsd the same over the current UTC calendar month
 * @param requestsLastMinute API requests it started in the last 60 s
 */
public record TenantUsage(String tenant, double spentTodayUsd, double budgetPerDayUsd, double spentMonthUsd,
    double budgetPerMonthUsd, long requestsLastMinute, long requestsPerMinuteLimit) {}
