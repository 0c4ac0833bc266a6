/**
 * The benchmark's request: a signed `organizations.changed` call of about
 * 1.6 KB, the size of a real one, with a distinct event id per copy.
 *
 * @module
 */

/**
 * Builds the JSON body of an `organizations.changed` event.
 *
 * @param id The event id; distinct ids defeat duplicate protection.
 * @returns The body, about 1.6 KB.
 */
export function organizationsChangedBody(id: string): string {
  return JSON.stringify({
    id,
    time: "2026-11-26T12:00:00.000Z",
    type: "organizations.changed",
    organizationsChanged: {
      organization: {
        id: "org_4Rmtb8eZtCvYJzQqP2mnAw",
        state: "ACTIVE",
        uniqueId: "acme-industries",
        displayName: "Acme Industries International",
        email: "billing@acme-industries.example.com",
        emailVerified: true,
        phoneNumber: "+14155550132",
        phoneNumberVerified: true,
        imageUrl: "https://cdn.example.com/organizations/acme-industries/logo-256x256.png",
        currencyCode: "USD",
        languageCode: "en-US",
        regionCode: "US",
        timeZone: "America/Los_Angeles",
        address: {
          lines: ["1 Market Street", "Suite 300"],
          city: "San Francisco",
          state: "CA",
          postalCode: "94105",
          country: "US",
        },
        accountConnections: [{
          connection: {
            id: "conn_3vQx9LkPa7TnB2sYfW8eRd",
            uniqueId: "stripe",
            displayName: "Stripe",
            type: "STRIPE",
            view: "BASIC",
            createTime: "2025-02-11T09:14:03.512Z",
            updateTime: "2026-10-02T17:45:20.009Z",
          },
          externalId: "cus_Pq8sLm2Xy7ZcVb",
          adminUrl: "https://dashboard.stripe.com/customers/cus_Pq8sLm2Xy7ZcVb",
          state: "ACTIVE",
          balanceAmount: "0",
          createTime: "2025-03-01T10:00:00.000Z",
          updateTime: "2026-11-26T11:59:58.731Z",
        }],
        subscription: {
          id: "sub_8KcN2wQpZr5VtL1yHx6eJm",
          state: "ACTIVE",
          anchorTime: "2025-03-01T10:00:00.000Z",
          plan: {
            id: "plan_6TgB3nMv9QeWs4KxAp2dLc",
            displayName: "Business (annual)",
            product: {
              id: "prod_2HwE7rYt5UiOp9AsDf3GhJ",
              uniqueId: "business",
              displayName: "Business",
            },
          },
        },
        signupTime: "2025-03-01T09:58:41.224Z",
        memberCount: 42,
        disabled: false,
        view: "FULL",
        createTime: "2025-03-01T09:58:41.224Z",
        updateTime: "2026-11-26T11:59:59.874Z",
      },
    },
  });
}
