# One image for both processes: `node dist/apps/api/src/main.js` (default) or `node dist/apps/worker/src/main.js`.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY apps apps
COPY libs libs
COPY migrations migrations
COPY bench bench
COPY scripts scripts
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim
ENV NODE_ENV=production
# As `npm start`: a larger young generation. An ingest batch keeps thousands of objects alive across
# scavenges; with the default semi-space their copying took about a fifth of the API's CPU (README, Benchmarks).
# The worker service (docker-compose.yml) runs with its own flags: a smaller heap, as `npm run start:worker`.
ENV NODE_OPTIONS=--max-semi-space-size=64
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
USER node
EXPOSE 3000
CMD ["node", "dist/apps/api/src/main.js"]
