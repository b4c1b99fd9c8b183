# The calaim-exchange app image, in two stages: `build` compiles the TypeScript (devDependencies)
# into dist/; the runtime image has production dependencies and dist/ only, so the bin runs
# compiled JavaScript (bin/build-state.js: no TypeScript source in the image to be newer).

FROM node:20-bookworm-slim AS build
ENV npm_config_fund=false npm_config_audit=false
WORKDIR /app
COPY package.json package-lock.json ./
# Only the compiler is needed here: dependencies' install scripts (native ssh2 crypto, the
# embedded Postgres binaries) run in the runtime stage, and `prepare` would build before the
# sources are copied.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY bin ./bin
COPY src ./src
COPY schemas ./schemas
COPY jobs ./jobs
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production npm_config_fund=false npm_config_audit=false
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci runs the `prepare` hook (scripts/build.js --if-possible, which imports bin/): without
# devDependencies there is no TypeScript, so it builds nothing; dist/ comes from the build stage.
COPY scripts ./scripts
COPY bin ./bin
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
# Read at run time from the package root, not compiled: the migrations (one copy, where the
# source has them) and the demo's sample plan.
COPY src/db/migrations ./src/db/migrations
COPY samples ./samples
# The stamp says "dist/ is built from the sources as they are": here it is, and nothing can
# change them; re-stamped after the copies, whose folder times may be the image build's.
RUN touch dist/.build-stamp
RUN ln -s /app/bin/calaim-exchange.js /usr/local/bin/calaim-exchange
ENV DATA_DIR=/var/lib/calaim-exchange
# The only folder the app writes (responses, dry runs, outbox, reports), owned by the user it
# runs as: a fresh named volume mounted there (compose: appdata) starts with this owner.
RUN mkdir -p $DATA_DIR && chown node:node $DATA_DIR
USER node
EXPOSE 9464
ENTRYPOINT ["calaim-exchange"]
CMD ["scheduler"]
