package dev.switchyard.actors;

/**
 * A tenant's spend and traffic against its limits ({@code switchyard.tenants.NAME}), as {@link Engine#tenantUsage()}
 * reports it for the dashboard.
 *
 * @param spentTodayUsd settled spend of the current day (UTC), in US dollars
 * @param budgetPerDayUsd the tenant's {@code budget-usd-per-day}
 * @param spentMonthUsd settled spend of the current month (UTC)
 * @param budgetPerMonthUsd the tenant's {@code budget-usd-per-month}
 * @param requestsLastMinute requests admitted in the last minute
 * @param requestsPerMinuteLimit the tenant's {@code requests-per-minute}
 */
public record TenantUsage(String tenant, double spentTodayUsd, double budgetPerDayUsd, double spentMonthUsd,
    double budgetPerMonthUsd, long requestsLastMinute, long requestsPerMinuteLimit) {}
