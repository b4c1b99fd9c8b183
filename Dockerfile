# The calaim-exchange app image: Node 20, production dependencies, runs the CLI source through tsx.
FROM node:20-bookworm-slim
ENV NODE_ENV=production npm_config_fund=false npm_config_audit=false
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci runs the `prepare` hook (scripts/build.js --if-possible): without devDependencies there
# is no TypeScript, so it builds nothing and the bin runs the source through tsx, a runtime
# dependency.
COPY scripts ./scripts
COPY bin ./bin
RUN npm ci --omit=dev && npm cache clean --force
COPY src ./src
COPY schemas ./schemas
COPY jobs ./jobs
COPY samples ./samples
COPY tsconfig.json ./
RUN ln -s /app/bin/calaim-exchange.js /usr/local/bin/calaim-exchange
ENV DATA_DIR=/var/lib/calaim-exchange
# The only folder the app writes (responses, dry runs, outbox, reports), owned by the user it
# runs as: a fresh named volume mounted there (compose: appdata) starts with this owner.
RUN mkdir -p $DATA_DIR && chown node:node $DATA_DIR
USER node
ENTRYPOINT ["calaim-exchange"]
CMD ["scheduler"]
