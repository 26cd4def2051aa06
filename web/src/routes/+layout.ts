// Client-rendered SPA served by the gateway; the API lives on the same origin.
export const ssr = false;
export const prerender = false;
