using Microsoft.EntityFrameworkCore;

namespace Pm.Demo;

/// <summary>The demo shop's database: customers and their orders, in a SQLite file.</summary>
internal sealed class ShopDb(DbContextOptions<ShopDb> options) : DbContext(options)
{
    public DbSet<Customer> Customers => Set<Customer>();

    public DbSet<Order> Orders => Set<Order>();
}

/// <summary>A customer of the shop.</summary>
internal sealed class Customer
{
    public int Id { get; set; }

    public required string Name { get; set; }

    public required string Region { get; set; }
}

/// <summary>An order: one line of one product.</summary>
/// <remarks>
/// <see cref="CustomerId"/> has no index on purpose: aggregates over orders scan the table, so they take seconds,
/// the kind of query one watches in pm and sometimes kills.
/// </remarks>
internal sealed class Order
{
    public long Id { get; set; }

    public int CustomerId { get; set; }

    public required string Sku { get; set; }

    public DateOnly OrderedOn { get; set; }

    public int Quantity { get; set; }

    public long AmountCents { get; set; }
}
